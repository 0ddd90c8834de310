"""Deadlines never wait behind an export: exports go to a queue of their own, served by their own worker."""

from __future__ import annotations

from config.celery import app


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_exports_have_a_queue_of_their_own_apart_from_the_sweep():
    assert queue_of("guanjia.exports.run_job") == "exports"
    assert queue_of("guanjia.cases.sweep") == "celery"
    assert queue_of("guanjia.ops.worker_heartbeat") == "celery"

"""Every signature kept in the old ``ReturnVisit.signature`` column becomes a ``VisitSignature`` row that points
at the same stored file: no file is moved or rewritten. Its SHA-256 is taken of the stored bytes; a file the
store has lost still gets its row (with an empty checksum), so nothing a customer signed is dropped. Who signed
and when come from the visit: its signer name, its time (``done_at``), and its visitor as the collector."""

from django.db import migrations


def _read_sha256(storage, name):
    import hashlib

    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
    except (OSError, ValueError):  # FileNotFoundError, a missing S3 object, an unreadable name
        return ""
    return digest.hexdigest()


def copy_signatures(apps, schema_editor):
    from django.core.files.storage import default_storage

    ReturnVisit = apps.get_model("visits", "ReturnVisit")
    VisitAttempt = apps.get_model("visits", "VisitAttempt")
    VisitSignature = apps.get_model("visits", "VisitSignature")
    signed = (
        ReturnVisit.objects.exclude(signature="")
        .exclude(signature__isnull=True)
        .order_by("pk")
        .values_list("pk", "signature", "signer_name", "done_at", "planned_at", "visitor_id", "reviewed_by_id")
    )
    for pk, name, signer, done_at, planned_at, visitor_id, reviewed_by_id in signed.iterator(chunk_size=500):
        if VisitSignature.objects.filter(visit_id=pk).exists():
            continue
        last = VisitAttempt.objects.filter(visit_id=pk).order_by("-at", "-pk").values_list("at", "by_id").first()
        collector = visitor_id or (last[1] if last else None) or reviewed_by_id
        if collector is None:  # never silently drop a signature: stop and say which visit needs a look
            raise RuntimeError(f"return visit {pk} has a signature but no staff member who collected it")
        VisitSignature.objects.create(
            visit_id=pk,
            image=name,
            sha256=_read_sha256(default_storage, name),
            signer_name=(signer or "")[:50],
            signed_at=done_at or (last[0] if last else None) or planned_at,
            collected_by_id=collector,
        )


def copy_signatures_back(apps, schema_editor):
    ReturnVisit = apps.get_model("visits", "ReturnVisit")
    VisitSignature = apps.get_model("visits", "VisitSignature")
    for visit_id, name, signer in VisitSignature.objects.values_list("visit_id", "image", "signer_name"):
        ReturnVisit.objects.filter(pk=visit_id).update(signature=name, signer_name=signer)


class Migration(migrations.Migration):
    dependencies = [("visits", "0003_visitsignature")]

    operations = [migrations.RunPython(copy_signatures, copy_signatures_back)]

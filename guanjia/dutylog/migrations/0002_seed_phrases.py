"""The manual's standard phrases (F14): 004 §一.5 日常标准用语 and §二 来电接待 (answer within three rings,
greet, then the office's name)."""

from django.db import migrations

PHRASES = [
    ("phone", "您好！{office}客户服务中心，请问有什么可以帮您？", "电话铃响三声内接听；先问候，再报管理处名称，同时准备记录"),
    ("phone", "请问您要找的同事不在，我帮您转告好吗？请留下您的姓名和联系电话。", "被找人员不在时做好转告记录，并及时告知"),
    ("greeting", "您好！", ""),
    ("greeting", "早上好！", ""),
    ("welcome", "欢迎！", "客户来访时立即起立，面带微笑招呼"),
    ("welcome", "欢迎光临！", ""),
    ("welcome", "欢迎指导！", ""),
    ("meeting", "请进！", ""),
    ("meeting", "请坐！", ""),
    ("meeting", "请用茶！", "请客户入座并双手端上茶水"),
    ("apology", "对不起！", "接到投诉时代表被投诉部门致歉"),
    ("apology", "请原谅！", ""),
    ("apology", "请谅解！", ""),
    ("request", "请关照！", ""),
    ("request", "请指正！", ""),
    ("request", "请稍候！", ""),
    ("request", "请稍等！", ""),
    ("request", "请留步！", ""),
    ("thanks", "谢谢！", ""),
    ("thanks", "多谢关照！", ""),
    ("thanks", "多谢指正！", ""),
    ("farewell", "再见！", ""),
    ("farewell", "晚安！", ""),
    ("congratulation", "节日好！", ""),
    ("congratulation", "节日快乐！", ""),
    ("congratulation", "一路顺风！", ""),
]


def seed(apps, schema_editor):
    Phrase = apps.get_model("dutylog", "Phrase")
    Phrase.objects.bulk_create(
        Phrase(project=None, category=category, text=text, note=note, position=i)
        for i, (category, text, note) in enumerate(PHRASES)
    )


def unseed(apps, schema_editor):
    Phrase = apps.get_model("dutylog", "Phrase")
    Phrase.objects.filter(project=None, text__in=[p[1] for p in PHRASES]).delete()


class Migration(migrations.Migration):
    dependencies = [("dutylog", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

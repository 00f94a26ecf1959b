from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_reviews"),
        ("evaluations", "0002_default_rubric"),
    ]

    operations = []

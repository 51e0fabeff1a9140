from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RateCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "bucket",
                    models.CharField(help_text='e.g. "comment:user:42"', max_length=200),
                ),
                (
                    "ends_at",
                    models.BigIntegerField(
                        help_text="End of the window, in seconds since the epoch."
                    ),
                ),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["ends_at"], name="ratecount_ends_at")],
                "constraints": [
                    models.UniqueConstraint(fields=("bucket", "ends_at"), name="ratecount_window")
                ],
            },
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_web_login')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobRunStat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('runs', fields.BigIntField(default=0)),
                ('failures', fields.BigIntField(default=0)),
                ('total_seconds', fields.FloatField(default=0.0)),
                ('last_seconds', fields.FloatField(default=0.0)),
                ('last_ok', fields.BooleanField(default=True)),
                ('last_finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_run_stat', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Runs of one scheduled job, summed over every worker process.'},
            bases=['Model'],
        ),
    ]

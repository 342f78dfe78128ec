from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_followups_subsidies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InstructorEvaluation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.CASCADE)),
                ('year', fields.IntField()),
                ('findings', fields.TextField(unique=False)),
                ('snapshot', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instructor_evaluation', 'app': 'models', 'unique_together': (('instructor', 'year'),), 'pk_attr': 'id', 'table_description': 'HR findings on an instructor for a year, with the computed figures at that moment.'},
            bases=['Model'],
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_attendance')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AssessmentResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enrolment', fields.OneToOneField('models.Enrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name='assessment', on_delete=OnDelete.CASCADE)),
                ('score', fields.DecimalField(max_digits=5, decimal_places=1)),
                ('passed', fields.BooleanField()),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='assessments', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'assessment_result', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A trainee result in a class: a score and whether it passes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=40)),
                ('enrolment', fields.OneToOneField('models.Enrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name='certificate', on_delete=OnDelete.RESTRICT)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='certificates_issued', on_delete=OnDelete.SET_NULL)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoke_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'certificate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A completion certificate, publicly verifiable by its number, revocable with a reason.'},
            bases=['Model'],
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('models', '0019_monitoring')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='WeChatIdentity',
            options={'table': 'wechat_identity', 'app': 'models', 'unique_together': (('appid', 'openid'),), 'pk_attr': 'id', 'table_description': 'One WeChat identity per person: unique per user and per (appid, openid).'},
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops

DESCRIPTION = "One WeChat identity per person: unique per user and per (appid, openid)."


async def _comment(apps, schema_editor):
    """PostgreSQL keeps a table's description as its comment (written by 0001); SQLite has none."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f"COMMENT ON TABLE \"wechat_identity\" IS '{DESCRIPTION}'")


class Migration(migrations.Migration):
    dependencies = [('models', '0019_monitoring')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='WeChatIdentity',
            options={'table': 'wechat_identity', 'app': 'models', 'unique_together': (('appid', 'openid'),), 'pk_attr': 'id', 'table_description': DESCRIPTION},
        ),
        ops.RunPython(_comment),
    ]

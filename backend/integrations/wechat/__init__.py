"""WeChat connector: wechatpy over aiohttp, error classification, field limits, push crypto."""

from .access_token import MemoryTokenStore, RedisTokenStore, TokenManager, build_token_manager
from .client import AsyncWeChatClient, JobReadyWeChatClient, WeChatHttp, build_client
from .config import WeChatConfig
from .connector import Code2Session, WeChatConnector, check_scene, wrap_template_data
from .errors import (
    ERRCODE_BAD_RESPONSE,
    ERRCODE_HTTP_STATUS,
    ERRCODE_HTTP_UNAVAILABLE,
    ERRCODE_NETWORK,
    ERRCODE_TIMEOUT,
    ERRCODE_TOKEN_LOCK,
    ERRCODE_TOKEN_STORE,
    ErrorKind,
    WeChatError,
    classify,
    reason_for,
)
from .limits import LIMITS, FieldLimit, fit_template_data, kind_of, validate_template_data
from .push import PushDecryptError, check_signature, decrypt_message, encrypt_reply

__all__ = [
    "ERRCODE_BAD_RESPONSE",
    "ERRCODE_HTTP_STATUS",
    "ERRCODE_HTTP_UNAVAILABLE",
    "ERRCODE_NETWORK",
    "ERRCODE_TIMEOUT",
    "ERRCODE_TOKEN_LOCK",
    "ERRCODE_TOKEN_STORE",
    "LIMITS",
    "AsyncWeChatClient",
    "Code2Session",
    "ErrorKind",
    "FieldLimit",
    "JobReadyWeChatClient",
    "MemoryTokenStore",
    "PushDecryptError",
    "RedisTokenStore",
    "TokenManager",
    "WeChatConfig",
    "WeChatConnector",
    "WeChatError",
    "WeChatHttp",
    "build_client",
    "build_token_manager",
    "check_scene",
    "check_signature",
    "classify",
    "decrypt_message",
    "encrypt_reply",
    "fit_template_data",
    "kind_of",
    "reason_for",
    "validate_template_data",
    "wrap_template_data",
]

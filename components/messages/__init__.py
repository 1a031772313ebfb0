"""Message modules: each defines MESSAGES = {key: {"zh-CN": ..., "en": ...}}."""

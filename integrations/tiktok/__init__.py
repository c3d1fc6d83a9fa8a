"""TikTok Shop's Open API, spoken in one place: ``client`` (signing, the answer envelope and its
error codes, token refresh, the one error type ``TikTokError``, the call site), ``fbt``
(Fulfilled by TikTok: warehouses, stock, inbound orders, notifications) and ``shipping``
(TikTok's labels and collections). The order channel's connector
(``integrations.channels.connectors.tiktok``) is built on ``client``."""

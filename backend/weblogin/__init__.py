"""Console login by scanning a QR code with the mini-program (扫码登录)."""

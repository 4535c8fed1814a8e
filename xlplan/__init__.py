"""xlplan: draft a 官民データ活用推進計画 in Excel, with Python behind the buttons."""

__version__ = "0.1.0"

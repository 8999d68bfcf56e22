"""The family plan down to products and weeks: the weekly SKU schedule inside the
plan's capacity (``weekly``)."""

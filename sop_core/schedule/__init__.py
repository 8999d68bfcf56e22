"""The family plan down to products and weeks: the weekly SKU schedule inside the
plan's capacity. ``weekly`` (:func:`~sop_core.schedule.weekly.schedule`) runs the
method step by step over ``weeks`` (the calendar), ``plan`` (the family plan per
bucket), ``demand`` (SKU demand), ``stock`` (the SKU stock table), ``allocate`` (the
split over the SKUs) and ``tables`` (the results)."""

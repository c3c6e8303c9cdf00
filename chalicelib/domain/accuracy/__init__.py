"""Promise accuracy: what delivered parcels teach the quote, and how well promises were kept.

Pure: no AWS, no Chalice, no environment; time comes in as values. A delivered parcel becomes a
``parcel_delivered`` fact (``delivered.py``); its projection (``projection.py``) counts it per
lane and week (learning) and per day (the accuracy report); ``learned.py`` turns a lane's
transit histogram into a delivery window, and ``report.py`` shapes the report.
"""

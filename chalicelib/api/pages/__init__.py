"""The customer's HTML pages: tracking, return request and return status (the rating page is
chalicelib/api/rating_page.py). Server-rendered, autoescaped, in German and English."""

"""Realistic demo data: a Milan-area social-housing agency with two years of books.

- :mod:`condo_admin.demo.taxcodes` computes real codici fiscali;
- :mod:`condo_admin.demo.names` holds names and birthplaces by origin;
- :mod:`condo_admin.demo.plan` draws the whole world as plain data from one seed;
- :mod:`condo_admin.demo.seed` writes it through the public operations (``seed_demo``).
"""

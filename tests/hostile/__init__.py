"""Generators of hostile and crash-test inputs; everything is written into a temporary folder at test time."""

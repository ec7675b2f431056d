"""``tongcheng docs``: a static, literate site of a rule pack, in Chinese and English.

Source documents whole, every quoted sentence highlighted and linked to what cites it, uncited
promises flagged; rules in plain language; parameters as dated tables with a step chart per
place; zones with their members over time; a search index that works from the disk.
Gathered first (``context.generate_context``), then written (``build``), as Pelican does.
"""

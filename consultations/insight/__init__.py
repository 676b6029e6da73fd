"""Staff insight: the dashboard's figures and tables (figures.py), drawn as
server-side SVG charts (charts.py). The page is views/dashboard.py, its
queries selectors/dashboard.py."""

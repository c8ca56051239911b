"""What the tests share and are not tests themselves: tiny months and rules for the solver (`roster_fixtures`), the
pages run by AppTest (`ui_pages`), a throwaway PostgreSQL server (`pg`), the hypothesis settings and bad-file
strategies (`fuzzing`), and the served app for the browser test (`e2e_app`)."""

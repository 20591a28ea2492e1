"""The labs' checks, one module per lab (`lab01_tokenizer`, ...): hand-written, not exported from a notebook, apart from
the library modules. `course_lib.grading.lab_checks("01_tokenizer")` loads them."""

"""What browser tests share: signing a family in by keyboard, and the overflow measure."""

# How many CSS pixels the page is wider than the viewport (0: nothing to scroll sideways on a phone).
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


def type_credentials(page, number: str, password: str) -> None:
    """Fill the form with the keyboard only: type, Tab, type, Enter."""
    page.get_by_label("Identifiant", exact=True).focus()
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def sign_in(page, url) -> None:
    """Family 100100 of alpha, signed in through its login page."""
    page.goto(url("alpha.test"))
    with page.expect_navigation(url=url("alpha.test", "/accueil")):
        type_credentials(page, "100100", "Famille2026")

//! `balance report` (SPEC §11): the status page from the history store alone,
//! its numbers those `check` printed.

use crate::common::{Home, Sandbox, code, json, stderr, stdout};
use crate::history::{config, import, now, spend_history};

/// The number after `Days left</dt><dd>` in the card headed `name`.
pub(crate) fn days_on_card(page: &str, name: &str) -> Option<f64> {
    let card = page.split(&format!(">{name} <span")).nth(1)?;
    let card = card.split("</section>").next()?;
    let days = card.split("Days left</dt><dd>").nth(1)?;
    days.split(' ').next()?.parse().ok()
}

#[test]
fn report_shows_what_check_recorded_worst_first() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    import(&home, &spend_history(now()));
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let rows = json(&out);
    let ib = rows.iter().find(|r| r["profile"] == "ib").unwrap();
    let days = ib["forecast"]["days_left"].as_f64().unwrap();

    let file = home.path().join("page.html");
    let out = home.run(&["report", "-o", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {page}"))
    };
    // Failing, then low (under min_balance 100), then ok.
    assert!(at(">bad <span") < at(">ib2 <span"));
    assert!(at(">ib2 <span") < at(">ib <span"));
    assert!(page.contains("1 low, 1 failing, 1 ok"), "{page}");
    assert!(page.contains("Failing: auth"));
    let amounts = rows.iter().filter_map(|r| r["balance"].as_number());
    assert_eq!(amounts.clone().count(), 2);
    for b in amounts {
        assert!(
            page.contains(&format!("<span class=\"amount\">{b}</span>")),
            "{b}"
        );
    }
    assert!(page.contains("<dt>Minimum</dt><dd>100</dd>"));
    let shown = days_on_card(&page, "ib").unwrap();
    assert!((shown - days).abs() <= 0.051, "{shown} vs {days}");
    assert!(page.contains("role=\"img\""));
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));
    assert!(
        !page.contains("healthy") && !page.contains("bad-credentials"),
        "no secrets"
    );
}

#[test]
fn report_to_stdout_of_chosen_profiles_and_of_one_never_checked() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    import(&home, &spend_history(now()));
    let out = home.run(&["report", "ib", "bad", "--since", "2d"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(">ib <span"), "{page}");
    assert!(!page.contains(">ib2"));
    assert!(page.contains("<h2 id=\"p-1\">bad</h2>\n<p class=\"status\">No check recorded yet"));
    assert!(
        page.contains("over 2 days"),
        "the charts show the period asked for"
    );
}

#[test]
fn report_with_no_store_says_so() {
    let home = Home::new();
    home.config("");
    let out = home.run(&["report"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("no history recorded yet"));
    assert!(stdout(&out).contains("no profiles"));
}

/// History belongs to a config: `report` and `history` show its profiles
/// (`--all` every recorded one), a card keeps the status and the reason it
/// was recorded with, and `history forget` removes one profile, only when
/// asked for certain.
#[test]
fn history_is_the_configs_judged_as_recorded_and_forgettable() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let url = sandbox.url("infobip");
    let profile = |name: &str, key: &str, extra: &str| {
        format!(
            "[profiles.{name}]\nprovider = \"infobip\"\nbase_url = \"{url}\"\napi_key = \"{key}\"\n{extra}\n"
        )
    };
    home.config(&format!(
        "{}{}",
        profile("prod", "healthy", "min_balance = 1000000"),
        profile("experiment", "bad-credentials", "")
    ));
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let rows = json(&out);
    let why = rows[1]["error"]["message"].as_str().unwrap().to_owned();
    assert!(why.contains("credentials rejected"), "{why}");

    // The experiment is gone from the config; prod's threshold was lowered.
    home.config(&profile("prod", "healthy", ""));
    let page = stdout(&home.run(&["report"]));
    assert!(page.contains(">prod <span"), "{page}");
    assert!(!page.contains("experiment"), "{page}");
    assert!(
        page.contains("1 low"),
        "LOW as recorded, not as judged today: {page}"
    );
    let page = stdout(&home.run(&["report", "--all"]));
    assert!(page.contains(">experiment <span"), "{page}");
    let escaped = why
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(
        page.contains(&escaped),
        "the vendor's reason: {why}\n{page}"
    );
    let csv = stdout(&home.run(&["history", "--format", "csv"]));
    assert!(
        csv.contains(",prod,") && !csv.contains(",experiment,"),
        "{csv}"
    );

    // Forget: never from a script without --yes.
    let out = home.run(&["history", "forget", "experiment"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let csv = stdout(&home.run(&["history", "--format", "csv", "--all"]));
    assert!(csv.contains(",experiment,"), "{csv}");
    let out = home.run(&["history", "forget", "experiment", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("removed 1 rows of experiment"),
        "{}",
        stderr(&out)
    );
    let csv = stdout(&home.run(&["history", "--format", "csv", "--all"]));
    assert!(
        csv.contains(",prod,") && !csv.contains(",experiment,"),
        "{csv}"
    );
}

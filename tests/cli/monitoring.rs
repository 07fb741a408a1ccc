//! `--format nagios`, `--format prometheus` and `-o`, through the real binary
//! against `balance sandbox`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use crate::common::{FAST, Home, Sandbox, code, literal, stderr, stdout};
use balance::sandbox::{self, Scenario};
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{MetricsExposition, PrometheusType, PrometheusValue};

/// A config with every scenario at 8x8 (which has all of them) and infobip, plus
/// a profile whose secret cannot be resolved.
fn setup() -> (Sandbox, Home) {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let profiles: Vec<_> = ["8x8", "infobip"]
        .into_iter()
        .flat_map(|p| {
            sandbox::SCENARIOS
                .iter()
                .map(move |s| (s.scenario, p, None))
        })
        .collect();
    let mut text = sandbox::config(&sandbox.base, FAST, &profiles, literal);
    text.push_str(
        "\n[profiles.unset-env]\nprovider = \"infobip\"\napi_key = { env = \"BALANCE_TEST_UNSET\" }\n",
    );
    home.config(&text);
    (sandbox, home)
}

fn name(provider: &str, scenario: Scenario) -> String {
    match scenario {
        Scenario::Healthy => provider.to_owned(),
        s => format!("{provider}-{}", s.key()),
    }
}

/// Runs `check ARGS…` and returns (exit code, first stdout line).
fn nagios(home: &Home, args: &[&str]) -> (i32, String, Output) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let out = home.run(&all);
    let first = stdout(&out).lines().next().unwrap_or_default().to_owned();
    (code(&out), first, out)
}

/// `nagios` for every argument list, side by side (the rate-limited and slow
/// profiles wait out their retries in parallel); results in the same order.
fn nagios_all(home: &Home, runs: &[Vec<&str>]) -> Vec<(i32, String, Output)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|args| scope.spawn(move || nagios(home, args)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn every_nagios_state_through_the_binary() {
    let (_sandbox, home) = setup();
    let nagios_format = ["--format", "nagios"];
    let healthy = name("8x8", Scenario::Healthy);
    let low = name("infobip", Scenario::Low);

    // OK, with its perfdata: min_balance 10 is the warning range `10:`.
    let (c, line, out) = nagios(&home, &[&healthy, nagios_format[0], nagios_format[1]]);
    assert_eq!(c, 0, "{}", stderr(&out));
    assert_eq!(
        line,
        "BALANCE OK - 8x8: 149309.7985931 USD | '8x8'=149309.7985931;10:;"
    );
    assert_eq!(stdout(&out).lines().count(), 1);

    // -w/-c imply the nagios format; each range form.
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[&low, "--format", "nagios"],
            1,
            "BALANCE WARNING - infobip-low: 3.75 EUR (warning range 10:)",
        ),
        (
            &[&low, "-c", "5:"],
            2,
            "BALANCE CRITICAL - infobip-low: 3.75 EUR (critical range 5:)",
        ),
        (
            &[&low, "-w", "5:", "-c", "1:"],
            1,
            "BALANCE WARNING - infobip-low: 3.75 EUR (warning range 5:)",
        ),
        (
            &[&low, "-w", "1:", "-c", "2:"],
            0,
            "BALANCE OK - infobip-low: 3.75 EUR",
        ),
        (
            &[&healthy, "-w", "10"],
            1,
            "BALANCE WARNING - 8x8: 149309.7985931 USD (warning range 10)",
        ),
        (&[&healthy, "-w", "200000"], 0, "BALANCE OK"),
        (
            &[&healthy, "-c", "~:1000"],
            2,
            "BALANCE CRITICAL - 8x8: 149309.7985931 USD (critical range ~:1000)",
        ),
        (
            &[&healthy, "--warning=@100000:200000"],
            1,
            "BALANCE WARNING",
        ),
        (
            &[&healthy, "--critical", "@149309.7985931:149309.7985931"],
            2,
            "BALANCE CRITICAL",
        ),
        (&[&healthy, "-w", "@0:1", "-c", "@1:2"], 0, "BALANCE OK"),
        (&[&low, "-w", "-5:5"], 0, "BALANCE OK"),
    ];
    let runs: Vec<Vec<&str>> = cases.iter().map(|(args, _, _)| args.to_vec()).collect();
    for ((args, want, prefix), (c, line, out)) in cases.iter().zip(nagios_all(&home, &runs)) {
        assert_eq!(c, *want, "{args:?}: {line} {}", stderr(&out));
        assert!(line.starts_with(prefix), "{args:?}: {line}");
    }

    // Failed fetches: CRITICAL for auth, not_prepaid, provider; UNKNOWN for
    // rate_limited, network, config.
    let failures = [
        (Scenario::BadCredentials, 2),
        (Scenario::NotPrepaid, 2),
        (Scenario::ServerError, 2),
        (Scenario::MalformedBody, 2),
        (Scenario::RateLimited, 3),
        (Scenario::Slow, 3),
    ];
    let profiles: Vec<String> = failures.iter().map(|(s, _)| name("8x8", *s)).collect();
    let runs: Vec<Vec<&str>> = profiles
        .iter()
        .map(|p| vec![p.as_str(), "--format", "nagios"])
        .collect();
    for (((_, want), profile), (c, line, _)) in failures
        .into_iter()
        .zip(&profiles)
        .zip(nagios_all(&home, &runs))
    {
        assert_eq!(c, want, "{profile}: {line}");
        let word = if want == 2 { "CRITICAL" } else { "UNKNOWN" };
        assert!(
            line.starts_with(&format!("BALANCE {word} - {profile}: ")),
            "{line}"
        );
        assert!(
            !line.contains(" | "),
            "no perfdata without a balance: {line}"
        );
    }
    let (c, line, _) = nagios(&home, &["unset-env", "--format", "nagios"]);
    assert_eq!(c, 3, "{line}");
    assert!(line.contains("BALANCE_TEST_UNSET"), "{line}");

    // Several profiles: CRITICAL > WARNING > UNKNOWN > OK.
    let limited = name("8x8", Scenario::RateLimited);
    let auth = name("infobip", Scenario::BadCredentials);
    let several = [
        (vec![&healthy, &limited], 3),
        (vec![&limited, &low], 1),
        (vec![&low, &auth, &limited], 2),
        (vec![&healthy, &healthy], 0),
    ];
    let runs: Vec<Vec<&str>> = several
        .iter()
        .map(|(profiles, _)| {
            let mut args: Vec<&str> = profiles.iter().map(|p| p.as_str()).collect();
            args.extend(["--format", "nagios"]);
            args
        })
        .collect();
    for (((profiles, want), args), (c, line, out)) in
        several.iter().zip(&runs).zip(nagios_all(&home, &runs))
    {
        let want = *want;
        assert_eq!(c, want, "{args:?}: {}", stdout(&out));
        if profiles.len() > 1 && profiles[0] != profiles[1] {
            // One line per profile after the status line.
            assert_eq!(stdout(&out).lines().count(), 1 + profiles.len(), "{line}");
        }
    }
    let (_, line, out) = nagios(&home, &[&low, &auth, &healthy, "--format", "nagios"]);
    // The status line names each profile in short; the details are on the
    // long-output lines.
    assert!(
        line.starts_with(
            "BALANCE CRITICAL - infobip-bad-credentials: auth error, infobip-low: 3.75 EUR (warning range 10:), 1 ok | "
        ),
        "{line}"
    );
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("CRITICAL infobip-bad-credentials: credentials rejected")),
        "{}",
        stdout(&out)
    );
    assert!(
        line.ends_with("| 'infobip-low'=3.75;10:; '8x8'=149309.7985931;10:;"),
        "{line}"
    );
    assert_eq!(
        stdout(&out).lines().nth(1),
        Some("WARNING infobip-low: 3.75 EUR (warning range 10:)")
    );
}

#[test]
fn nagios_usage_and_config_errors_are_unknown() {
    let (_sandbox, home) = setup();
    for args in [
        &["check", "--format", "nagios", "--no-such-flag"][..],
        &["check", "-w", "abc"],
        &["check", "-c", "10:5"],
        &["check", "--warning"],
        &["check", "8x8", "-w", "10", "--format", "table"],
        &["check", "--format=nagios", "no-such-profile"],
        &["check", "--format", "nagios", "8x8", "--timeout", "0"],
    ] {
        let out = home.run(args);
        assert_eq!(code(&out), 3, "{args:?}: {}{}", stdout(&out), stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with("BALANCE UNKNOWN - "), "{args:?}: {text}");
        assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
    }
    // No config file at all.
    let empty = Home::new();
    let out = empty
        .cmd()
        .args(["check", "--format", "nagios"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stdout(&out).starts_with("BALANCE UNKNOWN - "),
        "{}",
        stdout(&out)
    );
    // Outside nagios mode, a usage error stays 2.
    assert_eq!(code(&home.run(&["check", "--no-such-flag"])), 2);
    // --help is help, not UNKNOWN.
    assert_eq!(code(&home.run(&["check", "-w", "10", "--help"])), 0);
}

type Exposition = MetricsExposition<PrometheusType, PrometheusValue>;

fn parse(text: &str) -> Exposition {
    parse_prometheus(text).unwrap_or_else(|e| panic!("not valid exposition text: {e:?}\n{text}"))
}

/// `family{labels}` → value, from the parsed exposition.
fn samples(exposition: &Exposition, family: &str) -> HashMap<Vec<(String, String)>, f64> {
    let f = exposition
        .families
        .get(family)
        .unwrap_or_else(|| panic!("{family} missing"));
    assert_eq!(f.family_type, PrometheusType::Gauge, "{family}");
    assert!(!f.help.is_empty(), "{family} has HELP");
    f.iter_samples()
        .map(|s| {
            let labels = s.get_labelset().unwrap();
            let mut labels: Vec<(String, String)> =
                labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            labels.sort();
            let PrometheusValue::Gauge(n) = &s.value else {
                panic!("{family}: not a gauge value")
            };
            (labels, n.as_f64())
        })
        .collect()
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut l: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    l.sort();
    l
}

#[test]
fn prometheus_output_parses_back() {
    let (_sandbox, home) = setup();
    let out = home.run(&["check", "--format", "prometheus"]);
    // The exit status follows SPEC §5: the config error comes first.
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    let exposition = parse(&text);

    let amounts = samples(&exposition, "balance_amount");
    let up = samples(&exposition, "balance_up");
    let errors = samples(&exposition, "balance_check_error_info");
    let thresholds = samples(&exposition, "balance_threshold_amount");
    let durations = samples(&exposition, "balance_check_duration_seconds");

    let healthy = labels(&[("profile", "8x8"), ("provider", "8x8"), ("currency", "USD")]);
    assert_eq!(amounts.get(&healthy), Some(&149309.7985931));
    // Exact digits in the text, not a float's rendering.
    assert!(
        text.contains(
            "balance_amount{profile=\"8x8\",provider=\"8x8\",currency=\"USD\"} 149309.7985931\n"
        ),
        "{text}"
    );
    let low = labels(&[
        ("profile", "8x8-low"),
        ("provider", "8x8"),
        ("currency", "USD"),
    ]);
    assert_eq!(amounts.get(&low), Some(&3.75));
    let low = labels(&[("profile", "8x8-low"), ("provider", "8x8")]);
    assert_eq!(thresholds.get(&low), Some(&10.0));
    // One label set whatever the outcome: a failed check's threshold too.
    let failed = labels(&[("profile", "8x8-server-error"), ("provider", "8x8")]);
    assert_eq!(thresholds.get(&failed), Some(&10.0));

    let checked = 2 * sandbox::SCENARIOS.len() + 1;
    assert_eq!(up.len(), checked);
    assert_eq!(durations.len(), checked);
    assert!(durations.values().all(|d| *d >= 0.0));
    let fetched = up.values().filter(|v| **v == 1.0).count();
    assert_eq!(amounts.len(), fetched);
    assert_eq!(errors.len(), checked - fetched);
    assert!(errors.values().all(|v| *v == 1.0));

    let error_kind = |profile: &str| {
        errors
            .keys()
            .find(|l| l.contains(&("profile".into(), profile.into())))
            .and_then(|l| l.iter().find(|(k, _)| k == "kind"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{profile} has no balance_check_error_info"))
    };
    assert_eq!(error_kind("8x8-bad-credentials"), "auth");
    assert_eq!(error_kind("8x8-not-prepaid"), "not_prepaid");
    assert_eq!(error_kind("infobip-rate-limited"), "rate_limited");
    assert_eq!(error_kind("infobip-slow"), "network");
    assert_eq!(error_kind("infobip-server-error"), "provider");
    assert_eq!(error_kind("unset-env"), "config");
    let failed = labels(&[("profile", "8x8-server-error"), ("provider", "8x8")]);
    assert_eq!(up.get(&failed), Some(&0.0));
}

#[test]
fn prometheus_label_values_are_escaped() {
    // A vendor currency with every character the format escapes.
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start());
    runtime.block_on(
        Mock::given(path("/account/1/balance"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"balance": 1.5, "currency": "E\"U\\R}{,x=\"y\""}"#),
            )
            .expect(1)
            .mount(&server),
    );
    let home = Home::new();
    home.config(&format!(
        "[profiles.odd]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"k-123456\"\n",
        server.uri()
    ));
    let out = home.run(&["check", "--format", "prometheus"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(r#"currency="E\"U\\R}{,x=\"y\""} 1.5"#),
        "{text}"
    );
    let exposition = parse(&text);
    let amounts = samples(&exposition, "balance_amount");
    assert_eq!(
        amounts.len(),
        1,
        "one sample, its label value intact: {amounts:?}"
    );
    drop(server);
}

/// Every format through `-o`: written whole, no temporary file left, exit
/// status from the results.
#[test]
fn output_file_for_every_format() {
    let (_sandbox, home) = setup();
    let dir = home.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let leftovers = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".balance-"))
            .collect()
    };
    for (format, profile, want) in [
        ("table", "8x8", 0),
        ("json", "8x8-low", 9),
        ("value", "8x8", 0),
        ("prometheus", "8x8-bad-credentials", 4),
        ("nagios", "8x8-low", 1),
    ] {
        let file = dir.join(format!("{format}.out"));
        let out = home.run(&[
            "check",
            profile,
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), want, "{format}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{format}: stdout stays empty");
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written.ends_with('\n'), "{format}: {written:?}");
        let direct = home.run(&["check", profile, "--format", format, "--color", "never"]);
        // Timings and timestamps differ between two runs; the rest is the same bytes.
        let steady = |text: &str| -> String {
            text.lines()
                .filter(|l| !l.contains("duration_seconds{") && !l.contains("\"checked_at\""))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            steady(&written),
            steady(&stdout(&direct)),
            "{format}: same as stdout"
        );
    }
    assert_eq!(leftovers(&dir), Vec::<String>::new());

    // A target that cannot be replaced (a directory): exit 1, nothing left behind.
    let target = dir.join("taken");
    std::fs::create_dir(&target).unwrap();
    let out = home.run(&["check", "8x8", "--json", "-o", target.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    // A missing directory: exit 1, one line.
    let out = home.run(&["check", "8x8", "-o", "/nonexistent-dir/x.prom"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

/// A reader polling the file while `balance` rewrites it sees the old content
/// or the new, never a part.
#[test]
fn readers_never_see_a_partial_file() {
    let (_sandbox, home) = setup();
    let file = home.path().join("balance.prom");
    let first = home.run(&[
        "check",
        "--format",
        "prometheus",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&first), 3);
    let whole = std::fs::read_to_string(&file).unwrap();
    let families = parse(&whole).families.len();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (file, stop) = (file.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&file).expect("the file is always there");
                let parsed = parse(&text);
                assert_eq!(parsed.families.len(), families, "partial read:\n{text}");
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..5 {
        let out = home.run(&[
            "check",
            "8x8",
            "8x8-low",
            "infobip",
            "unset-env",
            "8x8-bad-credentials",
            "--format",
            "prometheus",
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 3);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
}

/// The textfile carries the last success too (SPEC §7): for a profile failing
/// now, the newest recorded balance, failed checks after it skipped.
#[test]
fn textfile_last_success_comes_from_the_history_store() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    crate::history::config(&home, &sandbox, "");
    let (hour_ago, half_hour_ago) = (crate::history::now() - 3600, crate::history::now() - 1800);
    let at = |secs: i64| {
        humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64),
        )
    };
    let file = home.path().join("bad.csv");
    std::fs::write(
        &file,
        format!(
            "checked_at,profile,provider,status,balance,currency,error_kind\r\n\
             {},bad,infobip,ok,12.5,EUR,\r\n\
             {},bad,infobip,error,,,auth\r\n",
            at(hour_ago),
            at(half_hour_ago)
        ),
    )
    .unwrap();
    let out = home.run(&["history", "import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let target = home.path().join("balance.prom");
    let out = home.run(&[
        "check",
        "--format",
        "prometheus",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let text = std::fs::read_to_string(&target).unwrap();
    let last = samples(&parse(&text), "balance_last_success_timestamp_seconds");
    let of = |profile: &str| {
        *last
            .get(&labels(&[("profile", profile), ("provider", "infobip")]))
            .unwrap_or_else(|| panic!("{profile}: {text}"))
    };
    assert_eq!(of("bad") as i64, hour_ago, "{text}");
    assert!(
        (of("ib") - crate::history::now() as f64).abs() < 60.0,
        "{text}"
    );
    assert!(text.contains("balance_up{profile=\"bad\",provider=\"infobip\"} 0\n"));
}

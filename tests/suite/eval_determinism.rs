//! Results are byte-identical whatever the number of threads: a large table is scanned
//! in parallel ranges, and floating-point sums must not depend on how many there are.

use crate::support::cli;

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::write(
        dir.join("model.kpi"),
        r#"
category c { name: "C" }
table accounts {
  account_id: text key
  tier: text dimension
}
table visits {
  visit_id: text key
  account_id: text -> accounts
  visited_on: date time
  hours: number
}
kpi hours { name: "Hours" category: c unit: number better: higher formula: sum(visits.hours) }
kpi mean_hours { name: "Mean hours" category: c unit: number better: higher formula: avg(visits.hours) }
"#,
    )
    .expect("write");
    std::fs::write(dir.join("accounts.csv"), "account_id,tier\nA,x\nB,y\nC,x\n").expect("write");
    // 200,000 rows of irregular fractions: their float sum depends on the order.
    let mut visits = String::from("visit_id,account_id,visited_on,hours\n");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..200_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let hours = (seed % 1_000_000) as f64 / 7_777.0;
        let account = ["A", "B", "C"][i % 3];
        visits.push_str(&format!(
            "v{i},{account},2025-03-{:02},{hours}\n",
            1 + i % 28
        ));
    }
    std::fs::write(dir.join("visits.csv"), visits).expect("write");
    let catalog = dir.join("model.kpi");
    let run = |threads: &str, by: &[&str]| {
        let mut args = vec!["eval", "--period", "2025", "--format", "json"];
        args.extend_from_slice(by);
        let out = cli::command(&args)
            .arg("--catalog")
            .arg(&catalog)
            .arg("--data")
            .arg(dir)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("kpic runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for by in [&[][..], &["--by", "tier"][..], &["--per-account"][..]] {
        let one = run("1", by);
        for threads in ["2", "3", "4", "8"] {
            assert!(
                run(threads, by) == one,
                "{by:?}: the output with {threads} threads differs from the one with 1"
            );
        }
    }
}

//! The `reference-adapter` command speaks protocol v1 exactly: the
//! contract's own example messages, and bad input answered with `error`.

use sigv4_conformance::reference_adapter::serve;

fn answers(input: &str) -> Vec<serde_json::Value> {
    let mut output = Vec::new();
    serve(input.as_bytes(), &mut output).expect("in-memory I/O");
    String::from_utf8(output)
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each answer is one JSON line"))
        .collect()
}

const CONTRACT_SIGN: &str = r#"{"type":"sign","id":"aws-v4/get-vanilla-query/header","request":{"method":"GET","path":"/","query":"Param2=value2&Param1=value1","headers":[["Host","example.amazonaws.com"]],"body_base64":""},"credentials":{"access_key_id":"AKIDEXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","session_token":null},"region":"us-east-1","service":"service","time":"2015-08-30T12:36:00Z","options":{"location":"header","expires_in":3600,"normalize_path":true,"double_encode_path":true,"payload":"signed","content_sha256_header":false,"sign_session_token":true},"future_field":1}"#;

#[test]
fn answers_the_contract_examples() {
    let input = format!("{{\"type\":\"hello\",\"protocol\":1}}\n{CONTRACT_SIGN}\n");
    let answers = answers(&input);
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["type"], "hello");
    assert_eq!(answers[0]["protocol"], 1);
    assert_eq!(answers[0]["features"].as_array().map(Vec::len), Some(8));
    let signed = &answers[1];
    assert_eq!(signed["type"], "signed");
    assert_eq!(signed["id"], "aws-v4/get-vanilla-query/header");
    assert_eq!(
        signed["signature"],
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    );
    let headers = signed["request"]["headers"].as_array().expect("headers");
    assert!(headers.iter().any(|h| h[0] == "Authorization"
        && h[1] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                    SignedHeaders=host;x-amz-date, \
                    Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
    assert!(signed["canonical_request"]
        .as_str()
        .is_some_and(|c| c.starts_with("GET\n/\nParam1=value1&Param2=value2\n")));
}

#[test]
fn bad_messages_get_error_answers_and_the_loop_goes_on() {
    let input = format!(
        "not json\n{{\"type\":\"dance\",\"id\":\"x\"}}\n{{\"id\":\"y\"}}\n\
         {{\"type\":\"sign\",\"id\":\"z\"}}\n{}\n{CONTRACT_SIGN}\n",
        CONTRACT_SIGN.replace("2015-08-30T12:36:00Z", "yesterday")
    );
    let answers = answers(&input);
    let kinds: Vec<&str> = answers
        .iter()
        .map(|a| a["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["error", "error", "error", "error", "error", "signed"]
    );
    assert_eq!(answers[1]["id"], "x");
    assert!(answers[4]["message"]
        .as_str()
        .unwrap()
        .contains("invalid signing time"));
}

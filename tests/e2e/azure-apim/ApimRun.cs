// ApimRun.cs -- runs the generated Azure API Management policy expressions against a fake context,
// as APIM would evaluate them, for the bundle tests/suites/connectors-mule-flex-azure.sh generates as
// "az-run" (retries=1, request_timeout=1500ms, request_body_limit=5, response_body_limit=3,
// skip_extensions=css,js, real_ip_header=X-Client-IP, host_header=X-Orig-Host, fail_mode=closed,
// report_response and send_response_body on). Built by apim_check.py --run; prints N passed, N failed.
using System;
using System.Collections.Generic;
using ApimStub;

class FakeUrl : IUrl {
    public string Path { get; set; }
    public string QueryString { get; set; }
    public string Host { get; set; }
}

class FakeBody : IMessageBody {
    public string Text;
    public T As<T>(bool preserveContent = false) { return (T)(object)Text; }
}

class FakeRequest : IRequest {
    public IUrl OriginalUrl { get; set; }
    public string IpAddress { get; set; }
    public string Method { get; set; }
    public Dictionary<string, string[]> HeaderMap = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyDictionary<string, string[]> Headers { get { return HeaderMap; } }
    public IMessageBody Body { get; set; }
}

class FakeResponse : IResponse {
    public int StatusCode { get; set; }
    public IMessageBody Body { get; set; }
    public IReadOnlyDictionary<string, string[]> Headers { get { return new Dictionary<string, string[]>(); } }
}

class FakeContext : IContext {
    public IRequest Request { get; set; }
    public IResponse Response { get; set; }
    public Guid RequestId { get; set; }
    public Dictionary<string, object> Vars = new Dictionary<string, object>();
    public IReadOnlyDictionary<string, object> Variables { get { return Vars; } }
}

static class Run {
    static int pass, fail;
    static Dictionary<string, Func<IContext, object>> expr = Registry.Expressions();
    static Dictionary<string, string> lit = Registry.Literals();

    static void Check(string name, object got, object want) {
        if (Equals(got, want)) { pass++; Console.WriteLine("ok - " + name); }
        else { fail++; Console.WriteLine("not ok - " + name + ": got [" + got + "], want [" + want + "]"); }
    }

    static object Eval(string key, FakeContext c) {
        Func<IContext, object> f;
        if (!expr.TryGetValue(key, out f)) throw new Exception("no expression " + key);
        return f(c);
    }

    // A context after the fragment's literal set-variable policies ran, for a request to path?query.
    static FakeContext Ctx(string fragment, string path, string query) {
        var c = new FakeContext();
        c.Request = new FakeRequest {
            OriginalUrl = new FakeUrl { Path = path, QueryString = query, Host = "api.example.com" },
            IpAddress = "203.0.113.9", Method = "POST", Body = new FakeBody { Text = "abcdefgh" } };
        foreach (var kv in lit) {
            string[] parts = kv.Key.Split('|');
            if (parts[0] == fragment) c.Vars[parts[1]] = kv.Value;
        }
        return c;
    }

    static void Main() {
        string[] endpoints = ((string)lit["sync-request|cnEndpoints"]).Substring(6).Split(new char[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        Check("two endpoints from the named value", endpoints.Length, 2);

        var c = Ctx("sync-request", "/static/App.CSS", "");
        Check("a .css path is skipped (any case)", Eval("sync-request|set-variable:cnSkip", c), true);
        c = Ctx("sync-request", "/api/users.js/list", "?a=1");
        Check("an extension in a middle segment is not skipped", Eval("sync-request|set-variable:cnSkip", c), false);
        c = Ctx("sync-request", "/api/users", "?a=1");
        Check("a path without extension is not skipped", Eval("sync-request|set-variable:cnSkip", c), false);
        c = Ctx("sync-request", "/img/logo.png", "");
        Check("an extension not in the list is not skipped", Eval("sync-request|set-variable:cnSkip", c), false);

        string id = (string)Eval("sync-request|set-variable:cnRequestId", c);
        Check("request id is 32 hex digits", id.Length == 32 && id.Trim("0123456789abcdef".ToCharArray()).Length == 0, true);
        Check("request ids differ", id != (string)Eval("sync-request|set-variable:cnRequestId", c), true);
        Check("timeout rounds 1500 ms up to 2 s", Eval("sync-request|send-request:timeout", c), 2);

        c = Ctx("sync-request", "/api/users", "?a=1");
        c.Vars["cnAttempt"] = 0;
        c.Vars["cnAttempt"] = Eval("sync-request|set-variable:cnAttempt#2", c);
        Check("each attempt counts", c.Vars["cnAttempt"], 1);
        Check("attempt 1 goes to the first endpoint", Eval("sync-request|set-url", c), endpoints[0].TrimEnd('/') + "/api/users?a=1");
        c.Vars["cnAttempt"] = 2;
        Check("attempt 2 goes to the second endpoint", Eval("sync-request|set-url", c), endpoints[1].TrimEnd('/') + "/api/users?a=1");
        c.Vars["cnAttempt"] = 3;
        Check("attempt 3 starts the retry round", Eval("sync-request|set-url", c), endpoints[0].TrimEnd('/') + "/api/users?a=1");

        c.Vars["cnStatus"] = 0; c.Vars["cnAttempt"] = 3;
        Check("no answer after 3 of 4 attempts: try again", Eval("sync-request|retry:condition", c), true);
        c.Vars["cnAttempt"] = 4;
        Check("no answer after 4 attempts (2 endpoints, 1 retry): stop", Eval("sync-request|retry:condition", c), false);
        c.Vars["cnStatus"] = 403; c.Vars["cnAttempt"] = 1;
        Check("an answer stops the retries", Eval("sync-request|retry:condition", c), false);

        int[,] statuses = { { 200, 200 }, { 204, 204 }, { 403, 403 }, { 415, 415 }, { 401, 0 }, { 500, 0 }, { 302, 0 } };
        for (int i = 0; i < statuses.GetLength(0); i++) {
            c.Vars["cnAnswer"] = new FakeResponse { StatusCode = statuses[i, 0] };
            Check("node status " + statuses[i, 0] + " counts as " + statuses[i, 1], Eval("sync-request|set-variable:cnStatus#2", c), statuses[i, 1]);
        }
        c.Vars["cnAnswer"] = null;
        Check("no answer (error ignored) counts as a failure", Eval("sync-request|set-variable:cnStatus#2", c), 0);

        c.Vars["cnStatus"] = 403;
        Check("403 blocks", Eval("sync-request|when:condition#2", c), true);
        Check("403 is not a failure", Eval("sync-request|when:condition#3", c), false);
        c.Vars["cnStatus"] = 0;
        Check("failure is answered when fail closed", Eval("sync-request|when:condition#3", c), true);
        c.Vars["cnFailMode"] = "fail: open";
        Check("failure passes when the fail-mode named value says open", Eval("sync-request|when:condition#3", c), false);
        c.Vars["cnFailMode"] = lit["sync-request|cnFailMode"];
        Check("failure does not block", Eval("sync-request|when:condition#2", c), false);
        c.Vars["cnSkip"] = false;
        Check("an unskipped request is checked", Eval("sync-request|when:condition", c), true);

        c.Vars["cnRequestId"] = id;
        ((FakeRequest)c.Request).HeaderMap["X-Orig-Host"] = new[] { "front.example.com" };
        ((FakeRequest)c.Request).HeaderMap["X-Client-IP"] = new[] { "198.51.100.7" };
        Check("X-Forwarded-Host from host_header", Eval("sync-request|header:X-Forwarded-Host", c), "front.example.com");
        Check("X-Real-IP from real_ip_header", Eval("sync-request|header:X-Real-IP", c), "198.51.100.7");
        ((FakeRequest)c.Request).HeaderMap.Clear();
        Check("X-Forwarded-Host falls back to the Host", Eval("sync-request|header:X-Forwarded-Host", c), "api.example.com");
        Check("X-Real-IP falls back to the client address", Eval("sync-request|header:X-Real-IP", c), "203.0.113.9");
        Check("X-Connector-Request-Id", Eval("sync-request|header:X-Connector-Request-Id", c), id);
        Check("X-Connector", Eval("sync-request|header:X-Connector", c), "azure-apim/1.1.0");
        Check("X-Connector-Mode inline", Eval("sync-request|header:X-Connector-Mode", c), "inline");
        Check("the body is cut at 5 bytes", Eval("sync-request|set-body", c), "abcde");
        c.Request = new FakeRequest { OriginalUrl = c.Request.OriginalUrl, IpAddress = "203.0.113.9", Method = "GET", Body = null };
        Check("no body sends an empty one", Eval("sync-request|set-body", c), "");

        c = Ctx("async-request", "/api/users", "");
        Check("async mode", Eval("async-request|header:X-Connector-Mode", c), "async");
        Check("async copy goes to the first endpoint", Eval("async-request|set-url", c), endpoints[0].TrimEnd('/') + "/api/users");

        foreach (string frag in new[] { "sync-response", "async-response" }) {
            c = Ctx(frag, "/api/users", "?x=2");
            var first = Ctx("sync-request", "/api/users", "?x=2");
            foreach (var kv in first.Vars) c.Vars[kv.Key] = kv.Value;
            Check(frag + ": nothing to report without the request fragment", Eval(frag + "|when:condition", c), false);
            c.Vars["cnRequestId"] = id; c.Vars["cnSkip"] = false; c.Vars["cnMode"] = "inline";
            Check(frag + ": reports after the request fragment", Eval(frag + "|when:condition", c), true);
            c.Vars["cnSkip"] = true;
            Check(frag + ": skipped requests are not reported", Eval(frag + "|when:condition", c), false);
            c.Response = new FakeResponse { StatusCode = 502, Body = new FakeBody { Text = "bad gateway" } };
            Check(frag + ": report goes to the first endpoint", Eval(frag + "|set-url", c), endpoints[0].TrimEnd('/') + "/api/users?x=2");
            Check(frag + ": origin status", Eval(frag + "|header:X-Connector-Response-Status", c), "502");
            Check(frag + ": response body cut at 3 bytes", Eval(frag + "|set-body", c), "bad");
            Check(frag + ": same request id", Eval(frag + "|header:X-Connector-Request-Id", c), id);
        }
        Console.WriteLine(pass + " passed, " + fail + " failed");
        Environment.Exit(fail == 0 ? 0 : 1);
    }
}

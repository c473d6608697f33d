using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>
/// Bad input gets kubectl's (and kube-apiserver's) error text, and leaves the server healthy and earlier objects
/// intact: each test ends by checking <c>/readyz</c> and a sentinel ConfigMap.
/// </summary>
[Collection(NavarchCollection.Name)]
public sealed class BadInputTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-errors";

    public async Task InitializeAsync()
    {
        await server.EnsureNamespaceAsync(Ns);
        var apply = await server.Kubectl.RunWithInputAsync(Sentinel, "apply", "-f", "-");
        server.Expect.Success(apply);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task UnknownField_WithDefaultStrictValidation_IsBadRequest()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(Deployment("unknown-field", "foo: bar\n  replicas: 1"), "create", "-f", "-"));
        server.Expect.StderrMatches(result,
            @"^Error from server \(BadRequest\): error when creating ""STDIN"": Deployment in version ""v1"" cannot be handled as a Deployment: strict decoding error: unknown field ""spec\.foo""$");
        await ExpectNotStoredAsync("deployment", "unknown-field");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task WrongFieldType_IsBadRequestNamingTheField()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(Deployment("wrong-type", "replicas: \"three\""), "create", "-f", "-"));

        // kube-apiserver's JSON decoder names the Go field and type; the .NET type must not leak into the message.
        server.Expect.StderrMatches(result,
            @"^Error from server \(BadRequest\): error when creating ""STDIN"": Deployment in version ""v1"" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32$");
        await ExpectNotStoredAsync("deployment", "wrong-type");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task MalformedYaml_IsRejectedByKubectlBeforeSending()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: malformed\n   namespace: [x\ndata: {a: b\n", "create", "-f", "-"));
        server.Expect.StderrMatches(result, @"^error: error parsing STDIN: error converting YAML to JSON: yaml: line \d+: .+$");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task MalformedJsonBody_SentRaw_IsBadRequest()
    {
        // Bypass kubectl's own parsing: a truncated JSON body must get a 400 Status, not a 500 or a dropped connection.
        var file = server.WriteManifest("truncated.json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"trunc""");
        var result = server.Expect.Failure(await server.Kubectl.RunAsync("create", "--raw", $"/api/v1/namespaces/{Ns}/configmaps", "-f", file));
        server.Expect.StderrMatches(result, @"^Error from server \(BadRequest\)");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task InvalidName_IsInvalidWithTheRfc1123Message()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(
            $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: {Ns}\n", "create", "-f", "-"));
        server.Expect.StderrContains(result,
            "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task MissingContainerImage_IsRequiredValue()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(
            $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: no-image\n  namespace: {Ns}\nspec:\n  containers:\n  - name: main\n", "create", "-f", "-"));
        server.Expect.StderrMatches(result, @"^The Pod ""no-image"" is invalid: spec\.containers\[0\]\.image: Required value$");
        await ExpectNotStoredAsync("pod", "no-image");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task CreateInMissingNamespace_IsNotFound()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n  namespace: nope\n", "create", "-f", "-"));
        server.Expect.StderrMatches(result, @"^Error from server \(NotFound\): error when creating ""STDIN"": namespaces ""nope"" not found$");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task CreateExisting_IsAlreadyExists()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(Sentinel, "create", "-f", "-"));
        server.Expect.StderrMatches(result, @"^Error from server \(AlreadyExists\): error when creating ""STDIN"": configmaps ""sentinel"" already exists$");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task GetMissing_IsNotFound()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunAsync("get", "configmap", "ghost", "-n", Ns));
        server.Expect.StderrMatches(result, @"^Error from server \(NotFound\): configmaps ""ghost"" not found$");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task ReplaceWithStaleResourceVersion_IsConflict()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(
            $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stale\n  namespace: {Ns}\ndata:\n  v: \"1\"\n", "apply", "-f", "-"));
        var read = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "stale", "-n", Ns, "-o", "yaml"));
        server.Expect.Success(await server.Kubectl.RunAsync("label", "configmap", "stale", "-n", Ns, "touched=yes"));

        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(read.Stdout.Replace("v: \"1\"", "v: \"2\"", StringComparison.Ordinal), "replace", "-f", "-"));
        server.Expect.StderrMatches(result,
            @"^Error from server \(Conflict\): error when replacing ""STDIN"": Operation cannot be fulfilled on configmaps ""stale"": the object has been modified; please apply your changes to the latest version and try again$");
        var kept = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "stale", "-n", Ns, "-o", "jsonpath={.data.v} {.metadata.labels.touched}"));
        server.Expect.StdoutLines(kept, "1 yes");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task BadLabelSelector_IsBadRequest()
    {
        var result = server.Expect.Failure(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "a in (b"));
        server.Expect.StderrMatches(result, @"^Error from server \(BadRequest\): .*unable to parse requirement: found '', expected: ',' or '\)'$");
        await ExpectIntactAsync();
    }

    [Fact]
    public async Task BodyOverThreeMebibytes_IsRequestEntityTooLarge()
    {
        var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n  namespace: {Ns}\ndata:\n  blob: {new string('x', 4 * 1024 * 1024)}\n";
        var result = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(yaml, "create", "-f", "-"));
        server.Expect.StderrMatches(result, @"^Error from server \(RequestEntityTooLarge\): error when creating ""STDIN"": Request entity too large: limit is 3145728$");
        await ExpectNotStoredAsync("configmap", "huge");
        await ExpectIntactAsync();
    }

    private static string Sentinel => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: sentinel
          namespace: {Ns}
        data:
          keep: me
        """;

    private static string Deployment(string name, string specLine) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          {specLine}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: main
                image: nginx:1.25
        """;

    private async Task ExpectNotStoredAsync(string kind, string name)
    {
        var get = await server.Kubectl.RunAsync("get", kind, name, "-n", Ns, "--ignore-not-found", "-o", "name");
        server.Expect.True(get.ExitCode == 0 && get.Stdout.Length == 0, $"the rejected {kind} {name} must not be stored", get);
    }

    private async Task ExpectIntactAsync()
    {
        await server.Expect.ServerHealthyAsync();
        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "sentinel", "-n", Ns, "-o", "jsonpath={.data.keep}"));
        server.Expect.StdoutLines(get, "me");
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary><c>kubectl get</c>: output formats, selectors, chunked lists and watch.</summary>
[Collection(NavarchCollection.Name)]
public sealed class GetTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-get";

    public async Task InitializeAsync()
    {
        await server.EnsureNamespaceAsync(Ns);

        // Three pods with labels for the selector tests, created once (apply is idempotent across tests).
        var pods = string.Join("---\n", new[] { ("sel-a", "a", "front"), ("sel-b", "b", "back"), ("sel-c", "c", "") }
            .Select(p => Pod(p.Item1, p.Item2, p.Item3)));
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(pods, "apply", "-f", "-"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task GetOutputYaml_PrintsTheObjectAsYaml()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "pod", "sel-a", "-n", Ns, "-o", "yaml"));
        server.Expect.StdoutMatches(result, "^apiVersion: v1$");
        server.Expect.StdoutMatches(result, "^kind: Pod$");
        server.Expect.StdoutMatches(result, "^  name: sel-a$");
        server.Expect.StdoutMatches(result, $"^  namespace: {Ns}$");
        server.Expect.StdoutMatches(result, "^    app: a$");
        server.Expect.StdoutMatches(result, "^  resourceVersion: \"[0-9]+\"$");
        server.Expect.StdoutMatches(result, "^  - image: nginx:1.25$");
    }

    [Fact]
    public async Task GetOutputJson_PrintsAListWithEveryItem()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel", "-o", "json"));
        var list = JsonNode.Parse(result.Stdout)!;
        server.Expect.True(list["kind"]?.GetValue<string>() == "List", "kubectl prints a List", result);
        var names = list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order().ToArray();
        server.Expect.True(names.SequenceEqual(["sel-a", "sel-b", "sel-c"]), "the list should hold the three pods", result);
    }

    [Fact]
    public async Task GetOutputName_And_JsonPath_PrintNames()
    {
        var names = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel", "-o", "name"));
        server.Expect.StdoutLines(names, "pod/sel-a", "pod/sel-b", "pod/sel-c");

        var jsonPath = server.Expect.Success(await server.Kubectl.RunAsync(
            "get", "pods", "-n", Ns, "-l", "suite=sel", "-o", "jsonpath={.items[*].metadata.name}"));
        server.Expect.StdoutLines(jsonPath, "sel-a sel-b sel-c");
    }

    [Fact]
    public async Task GetPodsWide_PrintsTheWideColumns()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "app=a", "-o", "wide"));
        server.Expect.StdoutLine(result, "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES");
        server.Expect.StdoutMatches(result, @"^sel-a\s+0/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>\s*$");
    }

    [Fact]
    public async Task GetAllNamespaces_PrintsTheNamespaceColumn()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-A", "-l", "app=a"));
        server.Expect.StdoutLine(result, "NAMESPACE NAME READY STATUS RESTARTS AGE");
        server.Expect.StdoutMatches(result, $@"^{Ns}\s+sel-a\s+0/1\s+Pending\s+0\s+\S+\s*$");
    }

    [Fact]
    public async Task GetWithEqualityLabelSelector_ReturnsOnlyMatches()
    {
        var equal = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "app=b", "-o", "name"));
        server.Expect.StdoutLines(equal, "pod/sel-b");

        var notEqual = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel,app!=b", "-o", "name"));
        server.Expect.StdoutLines(notEqual, "pod/sel-a", "pod/sel-c");
    }

    [Fact]
    public async Task GetWithSetBasedLabelSelector_ReturnsOnlyMatches()
    {
        var inSet = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel,app in (a,c)", "-o", "name"));
        server.Expect.StdoutLines(inSet, "pod/sel-a", "pod/sel-c");

        var notIn = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel,app notin (a)", "-o", "name"));
        server.Expect.StdoutLines(notIn, "pod/sel-b", "pod/sel-c");

        var exists = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel,tier", "-o", "name"));
        server.Expect.StdoutLines(exists, "pod/sel-a", "pod/sel-b");

        var absent = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "-l", "suite=sel,!tier", "-o", "name"));
        server.Expect.StdoutLines(absent, "pod/sel-c");
    }

    [Fact]
    public async Task GetWithFieldSelector_FiltersByNameAndPhase()
    {
        var byName = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "--field-selector", "metadata.name=sel-b"));
        server.Expect.StdoutLine(byName, "NAME READY STATUS RESTARTS AGE");
        server.Expect.StdoutMatches(byName, @"^sel-b\s+0/1\s+Pending\s+0\s+\S+\s*$");
        server.Expect.StdoutDoesNotMatch(byName, "^sel-[ac]");

        var pending = server.Expect.Success(await server.Kubectl.RunAsync(
            "get", "pods", "-n", Ns, "-l", "suite=sel", "--field-selector", "status.phase=Pending", "-o", "name"));
        server.Expect.StdoutLines(pending, "pod/sel-a", "pod/sel-b", "pod/sel-c");

        var running = server.Expect.Success(await server.Kubectl.RunAsync("get", "pods", "-n", Ns, "--field-selector", "status.phase=Running"));
        server.Expect.True(running.Stdout.Length == 0, "no pod runs (there is no node)", running);
        server.Expect.StderrContains(running, $"No resources found in {Ns} namespace.");
    }

    [Fact]
    public async Task GetWithChunkSize_FollowsContinueTokensAndReturnsEveryObject()
    {
        var configMaps = string.Join("---\n", Enumerable.Range(1, 5).Select(i => $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: chunk-{i}
              namespace: {Ns}
              labels:
                group: chunk
            data:
              i: "{i}"

            """));
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(configMaps, "apply", "-f", "-"));

        // -v=6 logs each request, which shows that kubectl really paged (limit=2, then continue tokens).
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmaps", "-n", Ns, "-l", "group=chunk", "--chunk-size=2", "-v=6"));
        server.Expect.StdoutLines(result,
            "NAME DATA AGE",
            $"chunk-1 1 {Age(result, "chunk-1")}",
            $"chunk-2 1 {Age(result, "chunk-2")}",
            $"chunk-3 1 {Age(result, "chunk-3")}",
            $"chunk-4 1 {Age(result, "chunk-4")}",
            $"chunk-5 1 {Age(result, "chunk-5")}");
        var pages = Regex.Matches(result.Stderr, @"GET https://\S+/configmaps\?\S*limit=2\S* 200 OK").Count;
        var continued = Regex.Matches(result.Stderr, @"GET https://\S+/configmaps\?continue=\S+ 200 OK").Count;
        server.Expect.True(pages == 3 && continued == 2, $"expected 3 pages of 2 (2 with continue), saw {pages} pages, {continued} continued", result);
    }

    [Fact]
    public async Task GetWatch_PrintsANewPodWhenItIsCreated()
    {
        await using var watch = server.Kubectl.StartStreaming("get", "pods", "-n", Ns, "-l", "app=watched", "-w");

        // Whether the watch is set up before or after the create, list-then-watch shows the pod either way.
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(Pod("watched-1", "watched", ""), "create", "-f", "-"));

        var line = await watch.WaitForLineAsync(new Regex(@"^watched-1\s+0/1\s+Pending\s+0\s+\S+$"), TimeSpan.FromSeconds(15));
        if (line is null)
        {
            server.Expect.Fail($"kubectl get -w never printed the new pod\n{watch}");
        }
    }

    [Fact]
    public async Task GetWatchWithEvents_PrintsAddedAndDeleted()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(Pod("watched-2", "watched2", ""), "create", "-f", "-"));
        await using var watch = server.Kubectl.StartStreaming("get", "pods", "-n", Ns, "-l", "app=watched2", "-w", "--output-watch-events");
        var added = await watch.WaitForLineAsync(new Regex(@"^ADDED\s+watched-2\s+0/1\s+Pending"), TimeSpan.FromSeconds(15));
        if (added is null)
        {
            server.Expect.Fail($"kubectl get -w --output-watch-events never printed ADDED\n{watch}");
        }

        server.Expect.Success(await server.Kubectl.RunAsync("delete", "pod", "watched-2", "-n", Ns));
        var deleted = await watch.WaitForLineAsync(new Regex(@"^DELETED\s+watched-2\s"), TimeSpan.FromSeconds(15));
        if (deleted is null)
        {
            server.Expect.Fail($"kubectl get -w --output-watch-events never printed DELETED\n{watch}");
        }
    }

    private static string Age(KubectlResult result, string name) =>
        Regex.Match(result.Stdout, $@"^{name}\s+\S+\s+(\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;

    private static string Pod(string name, string app, string tier) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {Ns}
          labels:
            suite: {(app.Length == 1 ? "sel" : "watch")}
            app: {app}{(tier.Length > 0 ? $"\n    tier: {tier}" : "")}
        spec:
          containers:
          - name: main
            image: nginx:1.25

        """;
}

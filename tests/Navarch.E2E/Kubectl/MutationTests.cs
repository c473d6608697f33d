using System.Text.RegularExpressions;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary><c>kubectl patch|label|annotate|scale|replace|delete</c> and what they leave behind.</summary>
[Collection(NavarchCollection.Name)]
public sealed class MutationTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-mutate";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PatchMerge_SetsAndRemovesLabels()
    {
        await CreateAsync(ConfigMap("merge", "app: merge\n    drop: me"));
        var patch = server.Expect.Success(await server.Kubectl.RunAsync(
            "patch", "configmap", "merge", "-n", Ns, "--type", "merge", "-p", """{"metadata":{"labels":{"added":"yes","drop":null}},"data":{"k":"v2"}}"""));
        server.Expect.StdoutLines(patch, "configmap/merge patched");

        var get = await GetAsync("configmap", "merge", "{.metadata.labels} {.data.k}");
        server.Expect.StdoutLines(get, """{"added":"yes","app":"merge"} v2""");
    }

    [Fact]
    public async Task PatchJson_AppliesOperationsInOrder()
    {
        await CreateAsync(ConfigMap("jsonpatch", "app: jsonpatch"));
        var patch = server.Expect.Success(await server.Kubectl.RunAsync(
            "patch", "configmap", "jsonpatch", "-n", Ns, "--type", "json", "-p",
            """[{"op":"add","path":"/metadata/labels/tier","value":"back"},{"op":"replace","path":"/data/k","value":"v3"},{"op":"test","path":"/data/k","value":"v3"}]"""));
        server.Expect.StdoutLines(patch, "configmap/jsonpatch patched");
        server.Expect.StdoutLines(await GetAsync("configmap", "jsonpatch", "{.metadata.labels.tier} {.data.k}"), "back v3");

        // A failing test operation rejects the whole patch.
        var failed = server.Expect.Failure(await server.Kubectl.RunAsync(
            "patch", "configmap", "jsonpatch", "-n", Ns, "--type", "json", "-p",
            """[{"op":"replace","path":"/data/k","value":"v4"},{"op":"test","path":"/data/k","value":"nope"}]"""));
        server.Expect.StderrMatches(failed, @"^Error from server");
        server.Expect.StdoutLines(await GetAsync("configmap", "jsonpatch", "{.data.k}"), "v3");
    }

    [Fact]
    public async Task PatchStrategic_MergesContainersByName_WhileMergePatchReplacesTheList()
    {
        await CreateAsync(TwoContainerDeployment("smp"));
        var strategic = server.Expect.Success(await server.Kubectl.RunAsync(
            "patch", "deployment", "smp", "-n", Ns, "--type", "strategic", "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}"""));
        server.Expect.StdoutLines(strategic, "deployment.apps/smp patched");
        server.Expect.StdoutLines(await GetAsync("deployment", "smp", "{range .spec.template.spec.containers[*]}{.name}={.image} {end}"),
            "main=nginx:1.25 sidecar=busybox:1.37");

        // JSON merge patch (RFC 7386) has no merge keys: the list is replaced whole.
        var merge = server.Expect.Success(await server.Kubectl.RunAsync(
            "patch", "deployment", "smp", "-n", Ns, "--type", "merge", "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}}"""));
        server.Expect.StdoutLines(merge, "deployment.apps/smp patched");
        server.Expect.StdoutLines(await GetAsync("deployment", "smp", "{range .spec.template.spec.containers[*]}{.name}={.image} {end}"),
            "main=nginx:1.27");
    }

    [Fact]
    public async Task Label_AddsRefusesWithoutOverwrite_OverwritesAndRemoves()
    {
        await CreateAsync(ConfigMap("labels", "app: labels"));
        server.Expect.StdoutLines(server.Expect.Success(await server.Kubectl.RunAsync("label", "configmap", "labels", "-n", Ns, "env=dev")), "configmap/labels labeled");

        var refused = server.Expect.Failure(await server.Kubectl.RunAsync("label", "configmap", "labels", "-n", Ns, "env=prod"));
        server.Expect.StderrContains(refused, "error: 'env' already has a value (dev), and --overwrite is false");

        server.Expect.StdoutLines(server.Expect.Success(await server.Kubectl.RunAsync("label", "configmap", "labels", "-n", Ns, "env=prod", "--overwrite")), "configmap/labels labeled");
        server.Expect.StdoutLines(await GetAsync("configmap", "labels", "{.metadata.labels.env}"), "prod");

        server.Expect.StdoutLines(server.Expect.Success(await server.Kubectl.RunAsync("label", "configmap", "labels", "-n", Ns, "env-")), "configmap/labels unlabeled");
        server.Expect.StdoutLines(await GetAsync("configmap", "labels", "{.metadata.labels}"), """{"app":"labels"}""");
    }

    [Fact]
    public async Task Annotate_AddsRefusesWithoutOverwrite_OverwritesAndRemoves()
    {
        await CreateAsync(ConfigMap("annotations", "app: annotations"));
        server.Expect.StdoutLines(server.Expect.Success(await server.Kubectl.RunAsync("annotate", "configmap", "annotations", "-n", Ns, "note=first")), "configmap/annotations annotated");

        var refused = server.Expect.Failure(await server.Kubectl.RunAsync("annotate", "configmap", "annotations", "-n", Ns, "note=second"));
        server.Expect.StderrContains(refused, "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (first)");

        server.Expect.Success(await server.Kubectl.RunAsync("annotate", "configmap", "annotations", "-n", Ns, "note=second", "--overwrite"));
        server.Expect.StdoutLines(await GetAsync("configmap", "annotations", "{.metadata.annotations.note}"), "second");

        server.Expect.StdoutLines(server.Expect.Success(await server.Kubectl.RunAsync("annotate", "configmap", "annotations", "-n", Ns, "note-")), "configmap/annotations annotated");
        var after = await GetAsync("configmap", "annotations", "{.metadata.annotations}");
        server.Expect.True(!after.Stdout.Contains("note", StringComparison.Ordinal), "the annotation should be removed", after);
    }

    [Fact]
    public async Task ScaleDeployment_PrintsScaledAndSetsReplicas()
    {
        await CreateAsync(TwoContainerDeployment("web"));
        var scale = server.Expect.Success(await server.Kubectl.RunAsync("scale", "deployment", "web", "-n", Ns, "--replicas=4"));
        server.Expect.StdoutLines(scale, "deployment.apps/web scaled");
        server.Expect.StdoutLines(await GetAsync("deployment", "web", "{.spec.replicas}"), "4");

        var scaleSubresource = server.Expect.Success(await server.Kubectl.RunAsync("get", "--raw", $"/apis/apps/v1/namespaces/{Ns}/deployments/web/scale"));
        server.Expect.StdoutMatches(scaleSubresource, "\"kind\":\"Scale\"");
        server.Expect.StdoutMatches(scaleSubresource, "\"spec\":\\{\"replicas\":4\\}");
    }

    [Fact]
    public async Task ReplaceFromFile_PrintsReplacedAndStoresTheNewContent()
    {
        await CreateAsync(ConfigMap("replaced", "app: replaced"));
        var current = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "replaced", "-n", Ns, "-o", "yaml"));
        var file = server.WriteManifest("replace.yaml", current.Stdout.Replace("k: v1", "k: replaced-value", StringComparison.Ordinal));

        var replace = server.Expect.Success(await server.Kubectl.RunAsync("replace", "-f", file));
        server.Expect.StdoutLines(replace, "configmap/replaced replaced");
        server.Expect.StdoutLines(await GetAsync("configmap", "replaced", "{.data.k}"), "replaced-value");
    }

    [Fact]
    public async Task DeletePodWithoutNode_IsGoneAtOnce()
    {
        await CreateAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: doomed
              namespace: {Ns}
            spec:
              containers:
              - name: main
                image: nginx:1.25
            """);
        var delete = server.Expect.Success(await server.Kubectl.RunAsync("delete", "pod", "doomed", "-n", Ns, "--timeout=20s"));
        server.Expect.StdoutLines(delete, "pod \"doomed\" deleted");

        var get = server.Expect.Failure(await server.Kubectl.RunAsync("get", "pod", "doomed", "-n", Ns));
        server.Expect.StderrContains(get, "Error from server (NotFound): pods \"doomed\" not found");
    }

    [Fact]
    public async Task DeleteWithLabelSelector_DeletesOnlyMatches()
    {
        await CreateAsync(string.Join("---\n", ConfigMap("del-1", "group: del"), ConfigMap("del-2", "group: del"), ConfigMap("keep-1", "group: keep")));
        var delete = server.Expect.Success(await server.Kubectl.RunAsync("delete", "configmaps", "-n", Ns, "-l", "group=del"));
        server.Expect.StdoutLines(delete, "configmap \"del-1\" deleted", "configmap \"del-2\" deleted");

        var left = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmaps", "-n", Ns, "-l", "group in (del,keep)", "-o", "name"));
        server.Expect.StdoutLines(left, "configmap/keep-1");
    }

    private async Task CreateAsync(string yaml) =>
        server.Expect.True(
            Regex.IsMatch(server.Expect.Success(await server.Kubectl.RunWithInputAsync(yaml, "create", "-f", "-")).Stdout, " created$", RegexOptions.Multiline),
            "create should print '... created'");

    private async Task<KubectlResult> GetAsync(string kind, string name, string jsonPath) =>
        server.Expect.Success(await server.Kubectl.RunAsync("get", kind, name, "-n", Ns, "-o", $"jsonpath={jsonPath}"));

    private static string ConfigMap(string name, string labels) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {Ns}
          labels:
            {labels}
        data:
          k: v1

        """;

    private static string TwoContainerDeployment(string name) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          replicas: 1
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
              - name: sidecar
                image: busybox:1.36
        """;
}

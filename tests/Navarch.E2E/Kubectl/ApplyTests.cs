using System.Text.Json.Nodes;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary><c>kubectl create -f</c>, client-side <c>apply</c> and server-side <c>apply</c> as a user runs them.</summary>
[Collection(NavarchCollection.Name)]
public sealed class ApplyTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-apply";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateFromYamlFile_PrintsCreated_AndStoresTheObject()
    {
        var file = server.WriteManifest("create-pod.yaml", $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: created
              namespace: {Ns}
              labels:
                app: created
            spec:
              containers:
              - name: main
                image: nginx:1.25
            """);

        var create = server.Expect.Success(await server.Kubectl.RunAsync("create", "-f", file));
        server.Expect.StdoutLines(create, "pod/created created");

        var get = server.Expect.Success(await server.Kubectl.RunAsync(
            "get", "pod", "created", "-n", Ns, "-o", "jsonpath={.metadata.labels.app} {.spec.containers[0].image} {.status.phase}"));
        server.Expect.StdoutLines(get, "created nginx:1.25 Pending");
    }

    [Fact]
    public async Task ApplyClientSide_ReapplyChanged_ConfiguresAndUpdatesLastApplied()
    {
        var first = server.Expect.Success(await server.Kubectl.RunWithInputAsync(Deployment("csa", replicas: 1, extraLabel: true), "apply", "-f", "-"));
        server.Expect.StdoutLines(first, "deployment.apps/csa created");

        var same = server.Expect.Success(await server.Kubectl.RunWithInputAsync(Deployment("csa", replicas: 1, extraLabel: true), "apply", "-f", "-"));
        server.Expect.StdoutLines(same, "deployment.apps/csa unchanged");

        // The changed manifest drops the label: client-side apply's three-way merge must remove it, because the
        // last-applied annotation says this user set it.
        var changed = server.Expect.Success(await server.Kubectl.RunWithInputAsync(Deployment("csa", replicas: 3, extraLabel: false), "apply", "-f", "-"));
        server.Expect.StdoutLines(changed, "deployment.apps/csa configured");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "deployment", "csa", "-n", Ns, "-o", "json"));
        var deployment = JsonNode.Parse(get.Stdout)!;
        server.Expect.True(deployment["spec"]!["replicas"]!.GetValue<int>() == 3, "spec.replicas should be 3 after re-apply", get);
        server.Expect.True(deployment["metadata"]!["labels"]?["extra"] is null, "the label removed from the manifest should be gone", get);

        var lastApplied = deployment["metadata"]!["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"]?.GetValue<string>();
        server.Expect.True(lastApplied is not null, "the last-applied-configuration annotation should be set", get);
        var recorded = JsonNode.Parse(lastApplied!)!;
        server.Expect.True(recorded["spec"]!["replicas"]!.GetValue<int>() == 3, "last-applied should record replicas 3", get);
        server.Expect.True(recorded["metadata"]!["labels"]?["extra"] is null, "last-applied should no longer record the label", get);
    }

    [Fact]
    public async Task ApplyServerSide_RecordsManagedFieldsForTheManager()
    {
        var apply = server.Expect.Success(await server.Kubectl.RunWithInputAsync(ConfigMap("ssa-fields", "1"), "apply", "--server-side", "-f", "-"));
        server.Expect.StdoutLines(apply, "configmap/ssa-fields serverside-applied");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "ssa-fields", "-n", Ns, "-o", "json", "--show-managed-fields"));
        var entry = ManagedFields(get).SingleOrDefault(e => e["manager"]?.GetValue<string>() == "kubectl");
        server.Expect.True(entry is not null, "managedFields should have an entry for manager kubectl", get);
        server.Expect.True(entry!["operation"]?.GetValue<string>() == "Apply", "the kubectl entry should be an Apply", get);
        server.Expect.True(entry["fieldsType"]?.GetValue<string>() == "FieldsV1", "fieldsType should be FieldsV1", get);
        server.Expect.True(entry["fieldsV1"]?["f:data"]?["f:a"] is not null, "kubectl should own f:data.f:a", get);
    }

    [Fact]
    public async Task ApplyServerSide_SecondManagerChangingAField_ConflictsUntilForced()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(ConfigMap("ssa-conflict", "1"), "apply", "--server-side", "-f", "-"));

        var conflict = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(
            ConfigMap("ssa-conflict", "2"), "apply", "--server-side", "--field-manager=other", "-f", "-"));
        server.Expect.StderrContains(conflict, "Apply failed with 1 conflict: conflict with \"kubectl\": .data.a");
        server.Expect.StderrContains(conflict, "--force-conflicts");
        var unchanged = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "ssa-conflict", "-n", Ns, "-o", "jsonpath={.data.a}"));
        server.Expect.StdoutLines(unchanged, "1");

        var forced = server.Expect.Success(await server.Kubectl.RunWithInputAsync(
            ConfigMap("ssa-conflict", "2"), "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"));
        server.Expect.StdoutLines(forced, "configmap/ssa-conflict serverside-applied");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "ssa-conflict", "-n", Ns, "-o", "json", "--show-managed-fields"));
        server.Expect.True(JsonNode.Parse(get.Stdout)!["data"]!["a"]!.GetValue<string>() == "2", "data.a should be 2 after --force-conflicts", get);
        var owners = ManagedFields(get).Where(e => e["fieldsV1"]?["f:data"]?["f:a"] is not null).Select(e => e["manager"]!.GetValue<string>()).ToArray();
        server.Expect.True(owners.SequenceEqual(["other"]), $"only 'other' should own f:data.f:a, owners: [{string.Join(", ", owners)}]", get);
    }

    [Fact]
    public async Task ApplyServerSide_SecondManagerWithSameValue_SharesOwnership()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(ConfigMap("ssa-share", "1"), "apply", "--server-side", "-f", "-"));
        server.Expect.Success(await server.Kubectl.RunWithInputAsync(ConfigMap("ssa-share", "1"), "apply", "--server-side", "--field-manager=other", "-f", "-"));

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "ssa-share", "-n", Ns, "-o", "json", "--show-managed-fields"));
        var owners = ManagedFields(get).Where(e => e["fieldsV1"]?["f:data"]?["f:a"] is not null).Select(e => e["manager"]!.GetValue<string>()).Order().ToArray();
        server.Expect.True(owners.SequenceEqual(["kubectl", "other"]), $"both managers should own f:data.f:a, owners: [{string.Join(", ", owners)}]", get);
    }

    private static JsonNode[] ManagedFields(KubectlResult get) =>
        JsonNode.Parse(get.Stdout)?["metadata"]?["managedFields"]?.AsArray().OfType<JsonNode>().ToArray() ?? [];

    private static string ConfigMap(string name, string value) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {Ns}
        data:
          a: "{value}"
        """;

    private static string Deployment(string name, int replicas, bool extraLabel) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {Ns}
          labels:
            app: {name}{(extraLabel ? "\n    extra: \"yes\"" : "")}
        spec:
          replicas: {replicas}
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
}

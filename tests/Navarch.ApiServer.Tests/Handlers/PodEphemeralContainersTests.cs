using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Discovery;
using Navarch.ApiServer.Tests.Hosting;

namespace Navarch.ApiServer.Tests.Handlers;

/// <summary>The <c>pods/ephemeralcontainers</c> subresource over HTTPS against a running API server (no kubelet runs).</summary>
public sealed class PodEphemeralContainersTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private const string Pods = "/api/v1/namespaces/default/pods";
    private const string StrategicMerge = "application/strategic-merge-patch+json";
    private const string NotAllowed = "Forbidden: cannot be set for an Ephemeral Container";

    private async Task<JsonNode> CreatePodAsync(string name)
    {
        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, $$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"web"}},
             "spec":{"initContainers":[{"name":"setup","image":"busybox:1.36"}],"containers":[{"name":"app","image":"nginx:1.27"}]}}
            """);
        Assert.Equal(201, code);
        return pod!;
    }

    private Task<(int Code, JsonNode? Body)> AddAsync(string pod, string ephemeralContainer) =>
        server.SendAsync(HttpMethod.Patch, $"{Pods}/{pod}/ephemeralcontainers",
            $$$"""{"spec":{"ephemeralContainers":[{{{ephemeralContainer}}}]}}""", StrategicMerge);

    private static (string? Field, string? Reason, string? Message)[] Causes(JsonNode status) =>
        status["details"]!["causes"]!.AsArray().Select(c => ((string?)c!["field"], (string?)c["reason"], (string?)c["message"])).ToArray();

    [Fact]
    public async Task Discovery_ListsEphemeralContainersWithGetPatchUpdate()
    {
        var (code, list) = await server.SendAsync(HttpMethod.Get, "/api/v1");

        Assert.Equal(200, code);
        var entry = Assert.Single(list!["resources"]!.AsArray(), r => (string?)r!["name"] == "pods/ephemeralcontainers")!;
        Assert.Equal("Pod", (string?)entry["kind"]);
        Assert.True((bool)entry["namespaced"]!);
        Assert.Equal(["get", "patch", "update"], entry["verbs"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task OpenApiV3_DescribesGetPutAndPatch()
    {
        var (code, document) = await server.SendAsync(HttpMethod.Get, "/openapi/v3/api/v1");

        Assert.Equal(200, code);
        var path = document!["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}/ephemeralcontainers"]!;
        Assert.Equal("readCoreV1NamespacedPodEphemeralcontainers", (string?)path["get"]!["operationId"]);
        Assert.Equal("replaceCoreV1NamespacedPodEphemeralcontainers", (string?)path["put"]!["operationId"]);
        Assert.Equal("patchCoreV1NamespacedPodEphemeralcontainers", (string?)path["patch"]!["operationId"]);
    }

    [Fact]
    public async Task StrategicMergePatch_AddsEphemeralContainer_AndIgnoresEverythingElse()
    {
        var created = await CreatePodAsync("smp");

        var (code, pod) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/smp/ephemeralcontainers", """
            {"metadata":{"labels":{"app":"changed","extra":"x"}},
             "spec":{"activeDeadlineSeconds":5,"containers":[{"name":"app","image":"nginx:1.28"}],
                     "ephemeralContainers":[{"name":"dbg","image":"busybox","targetContainerName":"app","stdin":true,"tty":true}]},
             "status":{"phase":"Running"}}
            """, StrategicMerge);

        Assert.Equal(200, code);
        Assert.Equal("Pod", (string?)pod!["kind"]);
        var added = pod["spec"]!["ephemeralContainers"]!.AsArray().Single()!;
        Assert.Equal(("dbg", "busybox", "app"), ((string?)added["name"], (string?)added["image"], (string?)added["targetContainerName"]));
        Assert.Equal(("/dev/termination-log", "File", "Always"),
            ((string?)added["terminationMessagePath"], (string?)added["terminationMessagePolicy"], (string?)added["imagePullPolicy"]));
        Assert.True((bool)added["tty"]!);
        Assert.Equal("web", (string?)pod["metadata"]!["labels"]!["app"]);
        Assert.Null(pod["metadata"]!["labels"]!["extra"]);
        Assert.Null(pod["spec"]!["activeDeadlineSeconds"]);
        Assert.Equal("nginx:1.27", (string?)pod["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("Pending", (string?)pod["status"]!["phase"]);
        Assert.Equal((string?)created["metadata"]!["uid"], (string?)pod["metadata"]!["uid"]);
        Assert.True(long.Parse((string)pod["metadata"]!["resourceVersion"]!) > long.Parse((string)created["metadata"]!["resourceVersion"]!));

        // A second patch merges by name, ordered as kubectl's two-way patch asks: the first container stays, and the
        // tagged image gets IfNotPresent.
        (code, pod) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/smp/ephemeralcontainers", """
            {"spec":{"$setElementOrder/ephemeralContainers":[{"name":"dbg"},{"name":"dbg2"}],
                     "ephemeralContainers":[{"name":"dbg2","image":"busybox:1.36"}]}}
            """, StrategicMerge);
        Assert.Equal(200, code);
        Assert.Equal(["dbg", "dbg2"], pod!["spec"]!["ephemeralContainers"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal("IfNotPresent", (string?)pod["spec"]!["ephemeralContainers"]![1]!["imagePullPolicy"]);

        var (getCode, stored) = await server.SendAsync(HttpMethod.Get, $"{Pods}/smp");
        Assert.Equal(200, getCode);
        Assert.Equal(2, stored!["spec"]!["ephemeralContainers"]!.AsArray().Count);
    }

    [Fact]
    public async Task Get_ReturnsTheWholePod()
    {
        var created = await CreatePodAsync("read");

        var (code, pod) = await server.SendAsync(HttpMethod.Get, $"{Pods}/read/ephemeralcontainers");

        Assert.Equal(200, code);
        Assert.Equal(("Pod", "v1", "read"), ((string?)pod!["kind"], (string?)pod["apiVersion"], (string?)pod["metadata"]!["name"]));
        Assert.Equal((string?)created["metadata"]!["resourceVersion"], (string?)pod["metadata"]!["resourceVersion"]);
        Assert.Equal("app", (string?)pod["spec"]!["containers"]![0]!["name"]);
    }

    [Fact]
    public async Task Put_AddsEphemeralContainer()
    {
        await CreatePodAsync("put");
        var (_, pod) = await server.SendAsync(HttpMethod.Get, $"{Pods}/put/ephemeralcontainers");
        pod!["spec"]!["ephemeralContainers"] = JsonNode.Parse("""[{"name":"dbg","image":"busybox:1.36","targetContainerName":"setup"}]""");

        var (code, updated) = await server.SendAsync(HttpMethod.Put, $"{Pods}/put/ephemeralcontainers", pod.ToJsonString());

        Assert.Equal(200, code);
        Assert.Equal("setup", (string?)updated!["spec"]!["ephemeralContainers"]![0]!["targetContainerName"]);
        var (_, stored) = await server.SendAsync(HttpMethod.Get, $"{Pods}/put");
        Assert.Equal("dbg", (string?)stored!["spec"]!["ephemeralContainers"]![0]!["name"]);
    }

    [Fact]
    public async Task Put_WithStaleResourceVersion_ReturnsConflict()
    {
        await CreatePodAsync("stale");
        var (_, pod) = await server.SendAsync(HttpMethod.Get, $"{Pods}/stale/ephemeralcontainers");
        Assert.Equal(200, (await AddAsync("stale", """{"name":"first","image":"busybox"}""")).Code);
        pod!["spec"]!["ephemeralContainers"] = JsonNode.Parse("""[{"name":"late","image":"busybox"}]""");

        var (code, status) = await server.SendAsync(HttpMethod.Put, $"{Pods}/stale/ephemeralcontainers", pod.ToJsonString());

        Assert.Equal(409, code);
        Assert.Equal("Conflict", (string?)status!["reason"]);
    }

    [Fact]
    public async Task JsonPatch_AndMergePatch_AreAccepted()
    {
        await CreatePodAsync("patches");

        var (code, pod) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/patches/ephemeralcontainers",
            """[{"op":"add","path":"/spec/ephemeralContainers","value":[{"name":"one","image":"busybox"}]}]""", "application/json-patch+json");
        Assert.Equal(200, code);
        Assert.Single(pod!["spec"]!["ephemeralContainers"]!.AsArray());

        (code, pod) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/patches/ephemeralcontainers",
            """{"spec":{"ephemeralContainers":[{"name":"one","image":"busybox"},{"name":"two","image":"busybox"}]}}""",
            "application/merge-patch+json");
        Assert.Equal(200, code);
        Assert.Equal(["one", "two"], pod!["spec"]!["ephemeralContainers"]!.AsArray().Select(c => (string?)c!["name"]));
    }

    [Fact]
    public async Task ChangingAnExistingEphemeralContainer_IsInvalid()
    {
        await CreatePodAsync("change");
        Assert.Equal(200, (await AddAsync("change", """{"name":"dbg","image":"busybox"}""")).Code);

        var (code, status) = await AddAsync("change", """{"name":"dbg","image":"alpine"}""");

        Assert.Equal(422, code);
        Assert.Equal("Invalid", (string?)status!["reason"]);
        var cause = Assert.Single(Causes(status));
        Assert.Equal(("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: existing ephemeral containers \"dbg\" may not be changed"), cause);
        Assert.StartsWith("Pod \"change\" is invalid: spec.ephemeralContainers: Forbidden", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovingAnExistingEphemeralContainer_IsInvalid()
    {
        await CreatePodAsync("remove");
        Assert.Equal(200, (await AddAsync("remove", """{"name":"dbg","image":"busybox"}""")).Code);

        var (code, status) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/remove/ephemeralcontainers",
            """[{"op":"remove","path":"/spec/ephemeralContainers/0"}]""", "application/json-patch+json");

        Assert.Equal(422, code);
        Assert.Equal(("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: existing ephemeral containers \"dbg\" may not be removed"),
            Assert.Single(Causes(status!)));
    }

    [Theory]
    [InlineData("ports", """[{"containerPort":80}]""")]
    [InlineData("livenessProbe", """{"exec":{"command":["true"]}}""")]
    [InlineData("readinessProbe", """{"exec":{"command":["true"]}}""")]
    [InlineData("startupProbe", """{"exec":{"command":["true"]}}""")]
    [InlineData("lifecycle", """{"preStop":{"exec":{"command":["true"]}}}""")]
    [InlineData("resources", """{"limits":{"cpu":"1"}}""")]
    [InlineData("restartPolicy", "\"Always\"")]
    public async Task WorkloadField_IsForbiddenForEphemeralContainers(string field, string value)
    {
        var name = "forbid-" + field.ToLowerInvariant();
        await CreatePodAsync(name);

        var (code, status) = await AddAsync(name, $$"""{"name":"dbg","image":"busybox","{{field}}":{{value}}}""");

        Assert.Equal(422, code);
        Assert.Contains(($"spec.ephemeralContainers[0].{field}", "FieldValueForbidden", NotAllowed), Causes(status!));
        var (_, stored) = await server.SendAsync(HttpMethod.Get, $"{Pods}/{name}");
        Assert.Null(stored!["spec"]!["ephemeralContainers"]);
    }

    [Fact]
    public async Task EmptyResources_AreNotAWorkloadField()
    {
        // kubectl debug sends "resources":{}; Go sees the zero value there, so kube-apiserver accepts it.
        await CreatePodAsync("empty-resources");

        var (code, _) = await AddAsync("empty-resources", """{"name":"dbg","image":"busybox","resources":{}}""");

        Assert.Equal(200, code);
    }

    [Fact]
    public async Task UnknownTargetContainer_IsNotFound()
    {
        await CreatePodAsync("target");

        var (code, status) = await AddAsync("target", """{"name":"dbg","image":"busybox","targetContainerName":"nope"}""");

        Assert.Equal(422, code);
        Assert.Equal(("spec.ephemeralContainers[0].targetContainerName", "FieldValueNotFound", "Not found: \"nope\""), Assert.Single(Causes(status!)));
    }

    [Theory]
    [InlineData("app")]
    [InlineData("setup")]
    public async Task NameOfAnotherContainer_IsDuplicate(string taken)
    {
        var pod = "dup-" + taken;
        await CreatePodAsync(pod);

        var (code, status) = await AddAsync(pod, $$"""{"name":"{{taken}}","image":"busybox"}""");

        Assert.Equal(422, code);
        Assert.Equal(("spec.ephemeralContainers[0].name", "FieldValueDuplicate", $"Duplicate value: \"{taken}\""), Assert.Single(Causes(status!)));
    }

    [Fact]
    public async Task BadNameAndMissingImage_AreInvalid()
    {
        await CreatePodAsync("badname");

        var (code, status) = await AddAsync("badname", """{"name":"Bad_Name"}""");

        Assert.Equal(422, code);
        var causes = Causes(status!);
        Assert.Contains(causes, c => c is ("spec.ephemeralContainers[0].name", "FieldValueInvalid", _));
        Assert.Contains(("spec.ephemeralContainers[0].image", "FieldValueRequired", "Required value"), causes);
    }

    [Fact]
    public async Task MissingPod_IsNotFound()
    {
        var (code, status) = await AddAsync("absent", """{"name":"dbg","image":"busybox"}""");

        Assert.Equal(404, code);
        Assert.Equal(("NotFound", "pods \"absent\" not found"), ((string?)status!["reason"], (string?)status["message"]));
        Assert.Equal(404, (await server.SendAsync(HttpMethod.Get, $"{Pods}/absent/ephemeralcontainers")).Code);
    }

    [Theory]
    [InlineData("malformed", "{\"spec\":", StrategicMerge, 400)]
    [InlineData("not-a-list", """{"spec":{"ephemeralContainers":"dbg"}}""", "application/merge-patch+json", 400)]
    [InlineData("wrong-type", """{"spec":{"ephemeralContainers":[{"name":"dbg","image":7}]}}""", "application/merge-patch+json", 400)]
    [InlineData("renamed", """{"metadata":{"name":"other"}}""", "application/merge-patch+json", 400)]
    [InlineData("plain-json", """{"spec":{}}""", "application/json", 415)]
    public async Task BadPatch_GetsAStatusError(string pod, string body, string contentType, int expected)
    {
        await CreatePodAsync("bad-" + pod);

        var (code, status) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/bad-{pod}/ephemeralcontainers", body, contentType);

        Assert.Equal(expected, code);
        Assert.Equal(("Status", "Failure"), ((string?)status!["kind"], (string?)status["status"]));
    }

    [Fact]
    public async Task Put_WithAnotherPodsName_IsBadRequest()
    {
        await CreatePodAsync("named");
        var (_, pod) = await server.SendAsync(HttpMethod.Get, $"{Pods}/named/ephemeralcontainers");
        pod!["metadata"]!["name"] = "someone-else";

        var (code, status) = await server.SendAsync(HttpMethod.Put, $"{Pods}/named/ephemeralcontainers", pod.ToJsonString());

        Assert.Equal(400, code);
        Assert.Equal("BadRequest", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Create_WithEphemeralContainers_IsForbidden()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, Pods, """
            {"metadata":{"name":"born-with"},"spec":{"containers":[{"name":"app","image":"nginx"}],
             "ephemeralContainers":[{"name":"dbg","image":"busybox"}]}}
            """);

        Assert.Equal(422, code);
        Assert.Contains(("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: cannot be set on create"), Causes(status!));
    }

    [Fact]
    public async Task MainResourcePatch_MayNotChangeEphemeralContainers()
    {
        await CreatePodAsync("main");

        var (code, status) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/main",
            """{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox"}]}}""", StrategicMerge);

        Assert.Equal(422, code);
        var cause = Assert.Single(Causes(status!));
        Assert.Equal(("spec", "FieldValueForbidden"), (cause.Field, cause.Reason));
        Assert.StartsWith("Forbidden: pod updates may not change fields other than", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MainResourcePatch_KeepsEphemeralContainersAddedEarlier()
    {
        await CreatePodAsync("keep");
        Assert.Equal(200, (await AddAsync("keep", """{"name":"dbg","image":"busybox"}""")).Code);

        var (code, pod) = await server.SendAsync(HttpMethod.Patch, $"{Pods}/keep", """{"metadata":{"labels":{"more":"yes"}}}""", StrategicMerge);

        Assert.Equal(200, code);
        Assert.Equal("dbg", (string?)pod!["spec"]!["ephemeralContainers"]![0]!["name"]);
    }

    [Fact]
    public async Task Watch_SeesTheAdditionAsModified()
    {
        var created = await CreatePodAsync("watched");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{Pods}?watch=true&fieldSelector=metadata.name%3Dwatched&resourceVersion={(string?)created["metadata"]!["resourceVersion"]}")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));

        var (code, patched) = await AddAsync("watched", """{"name":"dbg","image":"busybox"}""");
        Assert.Equal(200, code);

        JsonNode? modified = null;
        while (modified is null && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            var e = JsonNode.Parse(line)!;
            if ((string?)e["type"] == "MODIFIED")
            {
                modified = e["object"];
            }
        }

        Assert.NotNull(modified);
        Assert.Equal((string?)patched!["metadata"]!["resourceVersion"], (string?)modified["metadata"]!["resourceVersion"]);
        Assert.Equal("dbg", (string?)modified["spec"]!["ephemeralContainers"]![0]!["name"]);
    }

    [Fact]
    public async Task KubectlDebug_AddsTheTargetedEphemeralContainer()
    {
        await CreatePodAsync("debugged");
        using var kubectl = new Kubectl(server.KubeconfigPath);

        var (exit, stdout, stderr) = await kubectl.RunAsync(
            "-n", "default", "debug", "debugged", "--image=busybox", "--container=dbg", "--target=app", "--attach=false");

        Assert.True(exit == 0, $"kubectl debug failed ({exit}): {stdout}{stderr}");
        var (_, pod) = await server.SendAsync(HttpMethod.Get, $"{Pods}/debugged");
        var added = Assert.Single(pod!["spec"]!["ephemeralContainers"]!.AsArray())!;
        Assert.Equal(("dbg", "app", "busybox"), ((string?)added["name"], (string?)added["targetContainerName"], (string?)added["image"]));
    }
}

using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.ApiServer.Apply;
using static Navarch.ApiServer.Tests.Apply.ApplyTestData;

namespace Navarch.ApiServer.Tests.Apply;

public sealed class ServerSideApplyTests
{
    private static readonly Type Deploy = typeof(V1Deployment);

    [Fact]
    public void Apply_OnCreate_ReturnsConfigOwnedByApplier()
    {
        var config = Json("""
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"test-cm","namespace":"default","labels":{"test-label":"test"}},
             "data":{"key":"some value"}}
            """);

        var created = Success(ServerSideApply.Apply(null, config, "kubectl", force: false, typeof(V1ConfigMap), T0));

        Assert.Equal("some value", created["data"]!["key"]!.GetValue<string>());
        var entry = Entry(created, "kubectl");
        Assert.Equal("v1", entry.ApiVersion);
        Assert.Equal("2024-05-01T12:00:00Z", entry.Time);
        // As in the Server-Side Apply docs: identity fields (name, namespace, apiVersion, kind) are never owned.
        Assert.Equal("""{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:test-label":{}}}}""", Fields(created, "kubectl"));
        Assert.Null(config["metadata"]!["managedFields"]);
    }

    [Fact]
    public void Apply_FieldDroppedFromConfig_RemovesItFromObject()
    {
        var first = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""");
        var live = Success(ServerSideApply.Apply(null, first, "mgr", false, typeof(V1ConfigMap), T0));

        var second = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}""");
        var result = Success(ServerSideApply.Apply(live, second, "mgr", false, typeof(V1ConfigMap), T1));

        Assert.Equal("""{"a":"1"}""", result["data"]!.ToJsonString());
        Assert.Equal("""{"f:data":{"f:a":{}}}""", Fields(result, "mgr"));
        Assert.Equal("2024-05-01T12:05:00Z", Entry(result, "mgr").Time);
    }

    [Fact]
    public void Apply_FieldDroppedButOwnedByAnotherApplier_KeepsValueAndReleasesIt()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3), "alice", false, Deploy, T0));
        live = Success(ServerSideApply.Apply(live, Deployment(3), "bob", false, Deploy, T0));

        var withoutReplicas = Deployment(3);
        withoutReplicas["spec"]!.AsObject().Remove("replicas");
        var result = Success(ServerSideApply.Apply(live, withoutReplicas, "alice", false, Deploy, T1));

        Assert.Equal(3, result["spec"]!["replicas"]!.GetValue<int>());
        Assert.DoesNotContain("f:replicas", Fields(result, "alice"));
        Assert.Contains("f:replicas", Fields(result, "bob"));
    }

    [Fact]
    public void Apply_SameValueAsAnotherApplier_SharesOwnershipWithoutConflict()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3), "alice", false, Deploy, T0));

        var result = Success(ServerSideApply.Apply(live, Deployment(3), "bob", false, Deploy, T1));

        Assert.Contains("f:replicas", Fields(result, "alice"));
        Assert.Contains("f:replicas", Fields(result, "bob"));
    }

    [Fact]
    public void Apply_ChangingAnotherAppliersField_ConflictsWithKubernetesMessage()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3), "alice", false, Deploy, T0));

        var result = ServerSideApply.Apply(live, Deployment(5), "bob", false, Deploy, T1);

        Assert.True(result.HasConflicts);
        Assert.Null(result.Object);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas", result.ConflictMessage);
        var cause = Assert.Single(result.Causes);
        Assert.Equal("FieldManagerConflict", cause.Reason);
        Assert.Equal(".spec.replicas", cause.Field);
        Assert.Equal("conflict with \"alice\"", cause.Message);
        var error = result.ToException("apps", "deployments", "web");
        Assert.Equal(409, error.Code);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal(result.ConflictMessage, error.Message);
    }

    [Fact]
    public void Apply_SeveralConflicts_ListsThemByManager()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3, "nginx:1.25"), "alice", false, Deploy, T0));

        var result = ServerSideApply.Apply(live, Deployment(5, "nginx:1.26"), "bob", false, Deploy, T1);

        Assert.Equal(
            "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.replicas\n"
            + "- .spec.template.spec.containers[name=\"nginx\"].image",
            result.ConflictMessage);
    }

    [Fact]
    public void Apply_Forced_TakesTheFieldFromItsOwner()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3), "alice", false, Deploy, T0));

        var result = Success(ServerSideApply.Apply(live, Deployment(5), "bob", force: true, Deploy, T1));

        Assert.Equal(5, result["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains("f:replicas", Fields(result, "bob"));
        Assert.DoesNotContain("f:replicas", Fields(result, "alice"));
        Assert.Contains("f:image", Fields(result, "alice"));
    }

    [Fact]
    public void Apply_Containers_AreOwnedPerItemByName()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3), "alice", false, Deploy, T0));
        var sidecarOnly = Json("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy:1"}]}}}}
            """);
        live = Success(ServerSideApply.Apply(live, sidecarOnly, "bob", false, Deploy, T0));

        Assert.Equal(["nginx", "sidecar"], Names(live));
        Assert.Contains("""k:{\"name\":\"sidecar\"}""", Fields(live, "bob"));
        Assert.DoesNotContain("""k:{\"name\":\"nginx\"}""", Fields(live, "bob"));

        // bob stops applying its container: only that item goes, alice's stays.
        var nothing = Json("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"x":"y"}}}""");
        var result = Success(ServerSideApply.Apply(live, nothing, "bob", false, Deploy, T1));

        Assert.Equal(["nginx"], Names(result));
        Assert.Equal("nginx:1.25", result["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EnvEntries_AreOwnedPerItemAndRemovedOneByOne()
    {
        var live = Success(ServerSideApply.Apply(null, WithEnv(("A", "1"), ("B", "2")), "alice", false, Deploy, T0));
        live = Success(ServerSideApply.Apply(live, WithEnv(("C", "3")), "bob", false, Deploy, T0));
        Assert.Equal(["A", "B", "C"], EnvNames(live));

        var result = Success(ServerSideApply.Apply(live, WithEnv(("A", "1")), "alice", false, Deploy, T1));

        Assert.Equal(["A", "C"], EnvNames(result));
        var aliceFields = Fields(result, "alice");
        Assert.Contains("""k:{\"name\":\"A\"}""", aliceFields);
        Assert.DoesNotContain("""k:{\"name\":\"B\"}""", aliceFields);
    }

    [Fact]
    public void Apply_DroppedItemWithFieldOwnedByUpdater_KeepsItemWithItsKeyAndThatField()
    {
        var config = Deployment(1);
        config["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "Always";
        var live = Success(ServerSideApply.Apply(null, config, "alice", false, Deploy, T0));
        var updated = (JsonObject)live.DeepClone();
        updated["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:1.27";
        ManagedFieldsTracker.RecordUpdate(live, updated, "kubectl-set", "apps/v1", T0, Deploy);

        var withoutContainers = Deployment(1);
        withoutContainers["spec"]!.AsObject().Remove("template");
        var result = Success(ServerSideApply.Apply(updated, withoutContainers, "alice", false, Deploy, T1));

        var container = result["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("""{"name":"nginx","image":"nginx:1.27"}""", container.ToJsonString());
    }

    [Fact]
    public void Apply_Finalizers_AreASetOwnedPerValue()
    {
        var a = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["example.com/a"]}}""");
        var b = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["example.com/b"]}}""");
        var live = Success(ServerSideApply.Apply(null, a, "alice", false, typeof(V1ConfigMap), T0));

        var result = Success(ServerSideApply.Apply(live, b, "bob", false, typeof(V1ConfigMap), T1));

        Assert.Equal("""["example.com/a","example.com/b"]""", result["metadata"]!["finalizers"]!.ToJsonString());
        Assert.Equal("""{"f:metadata":{"f:finalizers":{"v:\"example.com/b\"":{}}}}""", Fields(result, "bob"));
    }

    [Fact]
    public void Apply_ContainerPorts_AreKeyedByPortAndDefaultProtocol()
    {
        var config = Json("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}
            """);

        var created = Success(ServerSideApply.Apply(null, config, "kubectl", false, typeof(V1Pod), T0));

        Assert.Contains("""k:{\"containerPort\":80,\"protocol\":\"TCP\"}""", Fields(created, "kubectl"));
    }

    [Fact]
    public void Apply_AfterUpdateByAnotherManager_ConflictsWithTheUpdater()
    {
        var live = Deployment(3);
        ManagedFieldsTracker.RecordUpdate(null, live, "kubectl-client-side-apply", "apps/v1", T0, Deploy);
        var scaled = (JsonObject)live.DeepClone();
        scaled["spec"]!["replicas"] = 4;
        ManagedFieldsTracker.RecordUpdate(live, scaled, "kubectl", "apps/v1", T0, Deploy);

        var result = ServerSideApply.Apply(scaled, Deployment(6), "deployer", false, Deploy, T1);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas", result.ConflictMessage);
    }

    [Fact]
    public void Apply_IgnoresStatusAndServerSetMetadata()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(1), "alice", false, Deploy, T0));
        live["status"] = new JsonObject { ["replicas"] = 1 };
        live["metadata"]!["resourceVersion"] = "7";
        var config = Deployment(1);
        config["status"] = new JsonObject { ["replicas"] = 99 };
        config["metadata"]!["resourceVersion"] = "3";
        config["metadata"]!["uid"] = "forged";

        var result = Success(ServerSideApply.Apply(live, config, "alice", false, Deploy, T1));

        Assert.Equal(1, result["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("7", result["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Null(result["metadata"]!["uid"]);
        Assert.DoesNotContain("f:status", Fields(result, "alice"));
        Assert.DoesNotContain("f:resourceVersion", Fields(result, "alice"));
    }

    [Fact]
    public void Apply_ToObjectWithoutManagedFields_CreditsExistingFieldsToBeforeFirstApply()
    {
        var live = Deployment(2);

        var result = ServerSideApply.Apply(live, Deployment(4), "alice", false, Deploy, T1);

        Assert.Equal(
            "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas",
            result.ConflictMessage);
    }

    [Fact]
    public void Apply_Unchanged_LeavesObjectAsIs()
    {
        var live = Success(ServerSideApply.Apply(null, Deployment(3, extraContainer: "sidecar"), "alice", false, Deploy, T0));

        var result = Success(ServerSideApply.Apply(live, Deployment(3, extraContainer: "sidecar"), "alice", false, Deploy, T0));

        Assert.True(JsonNode.DeepEquals(live, result), result.ToJsonString());
    }

    private static JsonObject WithEnv(params (string Name, string Value)[] env)
    {
        var config = Deployment(1);
        config["spec"]!.AsObject().Remove("replicas");
        var container = config["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        container.Remove("image");
        container["env"] = new JsonArray(env.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["value"] = e.Value }).ToArray());
        return config;
    }

    private static List<string> Names(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();

    private static List<string> EnvNames(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Select(e => e!["name"]!.GetValue<string>()).ToList();
}

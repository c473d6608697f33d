using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.ApiServer.Apply;
using Navarch.ApiServer.Serialization;
using static Navarch.ApiServer.Tests.Apply.ApplyTestData;

namespace Navarch.ApiServer.Tests.Apply;

public sealed class ManagedFieldsTrackerTests
{
    private static readonly Type Deploy = typeof(V1Deployment);

    [Fact]
    public void RecordUpdate_OnCreate_OwnsEveryFieldWithNewMapsMarked()
    {
        var obj = Deployment(3);
        obj["metadata"]!["labels"] = new JsonObject { ["app"] = "web" };

        ManagedFieldsTracker.RecordUpdate(null, obj, "kubectl-create", "apps/v1", T0, Deploy);

        var entry = Entry(obj, "kubectl-create", "Update");
        Assert.Equal("apps/v1", entry.ApiVersion);
        Assert.Equal("2024-05-01T12:00:00Z", entry.Time);
        Assert.Equal(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            entry.Fields.ToString());
    }

    [Fact]
    public void RecordUpdate_ChangedField_MovesFromOtherManagers()
    {
        var old = Deployment(3);
        ManagedFieldsTracker.RecordUpdate(null, old, "creator", "apps/v1", T0, Deploy);
        var next = (JsonObject)old.DeepClone();
        next["spec"]!["replicas"] = 5;

        ManagedFieldsTracker.RecordUpdate(old, next, "kubectl-edit", "apps/v1", T1, Deploy);

        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", Fields(next, "kubectl-edit", "Update"));
        Assert.DoesNotContain("f:replicas", Fields(next, "creator", "Update"));
        Assert.Contains("f:image", Fields(next, "creator", "Update"));
    }

    [Fact]
    public void RecordUpdate_RepeatedWritesBySameManager_MergeIntoOneEntry()
    {
        var v1 = Deployment(1);
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "apps/v1", T0, Deploy);
        var v2 = (JsonObject)v1.DeepClone();
        v2["spec"]!["replicas"] = 2;
        ManagedFieldsTracker.RecordUpdate(v1, v2, "scaler", "apps/v1", T0, Deploy);
        var v3 = (JsonObject)v2.DeepClone();
        v3["spec"]!["paused"] = true;

        ManagedFieldsTracker.RecordUpdate(v2, v3, "scaler", "apps/v1", T1, Deploy);

        var entries = ManagedFieldsEntry.ReadAll(v3).Where(e => e.Manager == "scaler").ToList();
        var entry = Assert.Single(entries);
        Assert.Equal("""{"f:spec":{"f:paused":{},"f:replicas":{}}}""", entry.Fields.ToString());
        Assert.Equal("2024-05-01T12:05:00Z", entry.Time);
    }

    [Fact]
    public void RecordUpdate_NoChange_KeepsEntriesAndTimes()
    {
        var v1 = Deployment(1);
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "apps/v1", T0, Deploy);
        var v2 = (JsonObject)v1.DeepClone();

        ManagedFieldsTracker.RecordUpdate(v1, v2, "noop", "apps/v1", T1, Deploy);

        var entry = Assert.Single(ManagedFieldsEntry.ReadAll(v2));
        Assert.Equal("creator", entry.Manager);
        Assert.Equal("2024-05-01T12:00:00Z", entry.Time);
    }

    [Fact]
    public void RecordUpdate_ManagerLosingAllFields_IsDropped()
    {
        var v1 = Deployment(1);
        v1["spec"]!.AsObject().Remove("template");
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "apps/v1", T0, Deploy);
        var v2 = (JsonObject)v1.DeepClone();
        v2["spec"]!["replicas"] = 2;

        ManagedFieldsTracker.RecordUpdate(v1, v2, "scaler", "apps/v1", T1, Deploy);

        Assert.Equal(["scaler"], ManagedFieldsEntry.ReadAll(v2).Select(e => e.Manager));
    }

    [Fact]
    public void RecordUpdate_RemovedField_LeavesEveryManagersSet()
    {
        var v1 = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""");
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "v1", T0, typeof(V1ConfigMap));
        var v2 = (JsonObject)v1.DeepClone();
        v2["data"]!.AsObject().Remove("b");

        ManagedFieldsTracker.RecordUpdate(v1, v2, "editor", "v1", T1, typeof(V1ConfigMap));

        Assert.Equal("""{"f:data":{".":{},"f:a":{}}}""", Fields(v2, "creator", "Update"));
        Assert.DoesNotContain(ManagedFieldsEntry.ReadAll(v2), e => e.Manager == "editor");
    }

    [Fact]
    public void RecordUpdate_SingleEmptyEntry_ClearsManagedFields()
    {
        var v1 = Deployment(1);
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "apps/v1", T0, Deploy);
        var v2 = (JsonObject)v1.DeepClone();
        v2["metadata"]!["managedFields"] = new JsonArray(new JsonObject());

        ManagedFieldsTracker.RecordUpdate(v1, v2, "editor", "apps/v1", T1, Deploy);

        Assert.Null(v2["metadata"]!["managedFields"]);
    }

    [Fact]
    public void RecordUpdate_ClientDroppedManagedFields_KeepsTheStoredOnes()
    {
        var v1 = Deployment(1);
        ManagedFieldsTracker.RecordUpdate(null, v1, "creator", "apps/v1", T0, Deploy);
        var v2 = Deployment(1);

        ManagedFieldsTracker.RecordUpdate(v1, v2, "editor", "apps/v1", T1, Deploy);

        Assert.Contains("f:replicas", Fields(v2, "creator", "Update"));
    }

    [Fact]
    public void RecordUpdate_TypedObjects_SetsMetadataManagedFields()
    {
        var old = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "c" } };
        var next = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "c" },
            Data = new Dictionary<string, string> { ["k"] = "v" },
        };

        ManagedFieldsTracker.RecordUpdate(old, next, "kubectl-edit", "v1", T0);

        var entry = Assert.Single(next.Metadata.ManagedFields);
        Assert.Equal("kubectl-edit", entry.Manager);
        Assert.Equal("Update", entry.Operation);
        Assert.Equal("FieldsV1", entry.FieldsType);
        Assert.Contains("f:k", ApiJson.SerializeToNode(entry)!.ToJsonString());
    }

    [Theory]
    [InlineData("my-controller", "kubectl/v1.32.0 (linux/amd64) kubernetes/abc", "my-controller")]
    [InlineData(null, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc", "kubectl")]
    [InlineData("", "Go-http-client/1.1", "Go-http-client")]
    [InlineData(null, null, "")]
    public void ManagerName_PrefersFieldManagerElseUserAgentPrefix(string? fieldManager, string? userAgent, string expected)
    {
        Assert.Equal(expected, ManagedFieldsTracker.ManagerName(fieldManager, userAgent));
    }
}

using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private const string Pod = """
        {
          "apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "p", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a", "b"],
                       "ownerReferences": [{"uid": "u1", "kind": "ReplicaSet", "name": "rs"}]},
          "spec": {
            "containers": [
              {"name": "app", "image": "app:1",
               "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
               "ports": [{"containerPort": 80, "protocol": "TCP"}]},
              {"name": "sidecar", "image": "proxy:1"}
            ],
            "tolerations": [{"key": "k1", "operator": "Exists"}],
            "volumes": [{"name": "data", "emptyDir": {}}]
          },
          "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Initialized", "status": "True"}]}
        }
        """;

    private static JsonNode Patch(string original, string patch, Type? type = null) =>
        StrategicMergePatch.Apply(JsonNode.Parse(original)!, JsonNode.Parse(patch)!, type ?? typeof(V1Pod));

    private static JsonNode At(JsonNode node, string path)
    {
        var current = node;
        foreach (var segment in path.Split('.'))
        {
            current = int.TryParse(segment, out var i) ? current[i]! : current[segment]!;
        }

        return current;
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected} but got {actual?.ToJsonString()}");

    [Fact]
    public void Env_MergesByName()
    {
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}""");
        AssertJson(
            """[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]""",
            At(result, "spec.containers.0.env"));
        Assert.Equal("app:1", At(result, "spec.containers.0.image").GetValue<string>());
        Assert.Equal("sidecar", At(result, "spec.containers.1.name").GetValue<string>());
    }

    [Fact]
    public void Containers_MergeByName_KeepingOthers()
    {
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}""");
        var containers = At(result, "spec.containers").AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("app:1", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal("proxy:2", containers[1]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Containers_NewOneComesFirst_AsKubernetesOrdersIt()
    {
        // Without $setElementOrder, kube-apiserver puts patch items not in the original before the
        // server-only ones (kubectl's patch docs show the added container first).
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"extra","image":"x:1"}]}}""");
        var names = At(result, "spec.containers").AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["extra", "app", "sidecar"], names);
    }

    [Fact]
    public void PatchDelete_InListItem_RemovesTheContainer()
    {
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}""");
        var containers = At(result, "spec.containers").AsArray();
        Assert.Single(containers);
        Assert.Equal("app", containers[0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void PatchReplace_InListItem_ReplacesTheWholeList()
    {
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"only","image":"o:1"},{"$patch":"replace"}]}}""");
        AssertJson("""[{"name":"only","image":"o:1"}]""", At(result, "spec.containers"));
    }

    [Fact]
    public void PatchReplace_InMap_ReplacesTheMap()
    {
        var result = Patch(Pod, """{"metadata":{"labels":{"$patch":"replace","new":"1"}}}""");
        AssertJson("""{"new":"1"}""", At(result, "metadata.labels"));
    }

    [Fact]
    public void PatchDelete_InMap_EmptiesIt()
    {
        var result = Patch(Pod, """{"metadata":{"labels":{"$patch":"delete"}}}""");
        AssertJson("{}", At(result, "metadata.labels"));
    }

    [Fact]
    public void Null_DeletesAMapKey_AndAField()
    {
        var result = Patch(Pod, """{"metadata":{"labels":{"tier":null,"new":"x"}},"status":null}""");
        AssertJson("""{"app":"web","new":"x"}""", At(result, "metadata.labels"));
        Assert.False(result.AsObject().ContainsKey("status"));
    }

    [Fact]
    public void NewValues_LoseTheirNullsAndDirectives()
    {
        var result = Patch("""{"metadata":{"name":"p"}}""", """{"metadata":{"annotations":{"a":null,"b":"1"}},"spec":{"containers":[{"name":"c","env":[{"name":"X","value":null}]}]}}""");
        AssertJson("""{"b":"1"}""", At(result, "metadata.annotations"));
        AssertJson("""[{"name":"c","env":[{"name":"X"}]}]""", At(result, "spec.containers"));
    }

    [Fact]
    public void ListWithoutStrategy_IsReplaced()
    {
        var result = Patch(Pod, """{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}]}}""");
        AssertJson("""[{"key":"k2","operator":"Exists"}]""", At(result, "spec.tolerations"));
    }

    [Fact]
    public void PrimitiveMergeList_IsAnOrderedSet()
    {
        var result = Patch(Pod, """{"metadata":{"finalizers":["b","c"]}}""");
        AssertJson("""["a","b","c"]""", At(result, "metadata.finalizers"));
    }

    [Fact]
    public void DeleteFromPrimitiveList_RemovesValues()
    {
        var result = Patch(Pod, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}""");
        AssertJson("""["b"]""", At(result, "metadata.finalizers"));
        Assert.False(At(result, "metadata").AsObject().ContainsKey("$deleteFromPrimitiveList/finalizers"));
    }

    [Fact]
    public void SetElementOrder_ReordersTheMergedList()
    {
        var result = Patch(Pod, """{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],"containers":[{"name":"app","image":"app:2"}]}}""");
        var containers = At(result, "spec.containers").AsArray();
        Assert.Equal(["sidecar", "app"], containers.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("app:2", containers[1]!["image"]!.GetValue<string>());
        Assert.False(At(result, "spec").AsObject().ContainsKey("$setElementOrder/containers"));
    }

    [Fact]
    public void SetElementOrder_WithoutPatchList_OnlyReorders()
    {
        var result = Patch(Pod, """{"metadata":{"$setElementOrder/finalizers":["b","a"]}}""");
        AssertJson("""["b","a"]""", At(result, "metadata.finalizers"));
    }

    [Fact]
    public void RetainKeys_ClearsUnlistedFields()
    {
        const string deployment = """{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""";
        var result = Patch(deployment, """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", typeof(V1Deployment));
        AssertJson("""{"type":"Recreate"}""", At(result, "spec.strategy"));
    }

    [Fact]
    public void RetainKeys_NotListingAPatchedField_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() =>
            Patch("""{"spec":{"strategy":{}}}""", """{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}""", typeof(V1Deployment)));
        Assert.Equal("invalid patch format of retainKeys", e.Message);
    }

    [Fact]
    public void Ports_MergeByNumericContainerPort()
    {
        var result = Patch(Pod, """{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}}""");
        AssertJson("""[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443}]""", At(result, "spec.containers.0.ports"));
    }

    [Fact]
    public void StatusConditions_MergeByType()
    {
        var result = Patch(Pod, """{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""");
        AssertJson("""[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]""", At(result, "status.conditions"));
    }

    [Fact]
    public void OwnerReferences_MergeByUid()
    {
        var result = Patch(Pod, """{"metadata":{"ownerReferences":[{"uid":"u2","kind":"Job","name":"j"}]}}""");
        Assert.Equal(2, At(result, "metadata.ownerReferences").AsArray().Count);
    }

    [Fact]
    public void ServicePorts_MergeByPort()
    {
        const string service = """{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}""";
        var result = Patch(service, """{"spec":{"ports":[{"port":80,"targetPort":"http"}]}}""", typeof(V1Service));
        AssertJson("""[{"port":80,"targetPort":"http"},{"port":443}]""", At(result, "spec.ports"));
    }

    [Fact]
    public void NodeTaints_AreReplaced()
    {
        const string node = """{"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]}}""";
        var result = Patch(node, """{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]}}""", typeof(V1Node));
        AssertJson("""[{"key":"b","effect":"NoExecute"}]""", At(result, "spec.taints"));
    }

    [Fact]
    public void DeploymentTemplate_ReachesPodSpecMetadata()
    {
        const string deployment = """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}""";
        var result = Patch(deployment, """{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}}""", typeof(V1Deployment));
        AssertJson("""[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]""", At(result, "spec.template.spec.containers"));
    }

    [Fact]
    public void Order_NewPatchItemsInterleaveWithServerOnlyItems()
    {
        // As strategicpatch's mergeSortedSlice: original [a,b,c], patch [b,d] gives [a,b,d,c].
        const string pod = """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""";
        var result = Patch(pod, """{"spec":{"containers":[{"name":"b","image":"x"},{"name":"d"}]}}""");
        Assert.Equal(["a", "b", "d", "c"], At(result, "spec.containers").AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var original = JsonNode.Parse(Pod)!;
        var patch = JsonNode.Parse("""{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]},"metadata":{"labels":{"app":null}}}""")!;
        var originalText = original.ToJsonString();
        var patchText = patch.ToJsonString();
        StrategicMergePatch.Apply(original, patch, typeof(V1Pod));
        Assert.Equal(originalText, original.ToJsonString());
        Assert.Equal(patchText, patch.ToJsonString());
    }

    [Fact]
    public void ListItemWithoutMergeKey_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Patch(Pod, """{"spec":{"containers":[{"image":"nginx"}]}}"""));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("map: map[image:nginx] does not contain declared merge key: name", e.Message);
    }

    [Fact]
    public void UnknownDirectiveInMap_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Patch(Pod, """{"metadata":{"labels":{"$patch":"foo"}}}"""));
        Assert.Equal("unknown patch type: foo in map: map[$patch:foo]", e.Message);
    }

    [Fact]
    public void MergeDirectiveInList_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Patch(Pod, """{"spec":{"containers":[{"$patch":"merge"}]}}"""));
        Assert.Equal("merging lists cannot yet be specified in the patch", e.Message);
    }

    [Fact]
    public void MixedElementTypes_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Patch(Pod, """{"metadata":{"finalizers":[{"a":1}]}}"""));
        Assert.StartsWith("list element types are not identical", e.Message);
    }

    [Fact]
    public void TypeChange_ReplacesValue()
    {
        var result = Patch("""{"spec":{"nodeSelector":{"a":"b"}}}""", """{"spec":{"nodeSelector":"x"}}""");
        Assert.Equal("x", At(result, "spec.nodeSelector").GetValue<string>());
    }

    [Fact]
    public void TopLevelPatchOnNonObject_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => Patch("{}", "[]"));
        Assert.Equal("json: cannot unmarshal array into Go value of type map[string]interface {}", e.Message);
    }

    [Fact]
    public void RetainKeys_InVolumeItem_SwitchesTheVolumeSource()
    {
        var result = Patch(Pod, """{"spec":{"volumes":[{"name":"data","$retainKeys":["name","hostPath"],"hostPath":{"path":"/x"}}]}}""");
        AssertJson("""[{"name":"data","hostPath":{"path":"/x"}}]""", At(result, "spec.volumes"));
    }
}

using System.Text;
using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Kinds;
using static Navarch.ApiServer.Tests.Registry.StrategyTestHelpers;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class SimpleKindStrategyTests
{
    [Fact]
    public void Namespace_Create_IsActiveWithFinalizerAndNameLabel()
    {
        var ns = new V1Namespace { Metadata = Meta("team-a", null) };

        Assert.Empty(Create(new NamespaceStrategy(), ns));

        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("team-a", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
        Assert.Equal("Active", ((IResourceStrategy)new NamespaceStrategy()).GetSelectableField(ns, "status.phase"));
    }

    [Fact]
    public void Namespace_NameMustBeLabel()
    {
        Assert.Contains(Create(new NamespaceStrategy(), new V1Namespace { Metadata = Meta("a.b", null) }),
            e => e.StartsWith("metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label", StringComparison.Ordinal));
    }

    [Fact]
    public void Node_Update_KeepsStatusAndSelectsUnschedulable()
    {
        IResourceStrategy strategy = new NodeStrategy();
        var old = new V1Node
        {
            Metadata = Meta("node-1", null),
            Spec = new V1NodeSpec { PodCIDR = "10.42.0.0/24", PodCIDRs = ["10.42.0.0/24"] },
            Status = new V1NodeStatus { Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4") } },
        };
        Assert.Empty(Create(strategy, old));
        Assert.Equal("4", old.Status.Allocatable["cpu"].ToString());

        var updated = Copy(old);
        updated.Spec.Unschedulable = true;
        updated.Status = null;
        Assert.Empty(Update(strategy, updated, old));
        Assert.NotNull(updated.Status);
        Assert.Equal("true", strategy.GetSelectableField(updated, "spec.unschedulable"));

        var moved = Copy(old);
        moved.Spec.PodCIDRs = ["10.42.9.0/24"];
        Assert.Contains("spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid", Update(strategy, moved, old));
    }

    [Fact]
    public void ConfigMap_BadKey_UsesConfigKeyMessage()
    {
        var map = new V1ConfigMap { Metadata = Meta("cfg"), Data = new Dictionary<string, string> { ["bad key"] = "v", ["good.key"] = "v" } };

        Assert.Equal(
            ["data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
            Create(new ConfigMapStrategy(), map));
    }

    [Fact]
    public void ConfigMap_TooLarge_IsRejected()
    {
        var map = new V1ConfigMap { Metadata = Meta("cfg"), Data = new Dictionary<string, string> { ["a"] = new string('x', 1024 * 1024 + 1) } };

        Assert.Equal([": Too long: may not be more than 1048576 bytes"], Create(new ConfigMapStrategy(), map));
    }

    [Fact]
    public void ConfigMap_Immutable_BlocksDataChanges()
    {
        IResourceStrategy strategy = new ConfigMapStrategy();
        var old = new V1ConfigMap { Metadata = Meta("cfg"), Immutable = true, Data = new Dictionary<string, string> { ["a"] = "1" } };
        var updated = Copy(old);
        updated.Data["a"] = "2";
        updated.Immutable = false;

        Assert.Equal(
            ["immutable: Forbidden: field is immutable when `immutable` is set", "data: Forbidden: field is immutable when `immutable` is set"],
            Update(strategy, updated, old));

        var labelOnly = Copy(old);
        labelOnly.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" };
        Assert.Empty(Update(strategy, labelOnly, old));
    }

    [Fact]
    public void Secret_DefaultsTypeFoldsStringDataAndKeepsTypeImmutable()
    {
        IResourceStrategy strategy = new SecretStrategy();
        var secret = new V1Secret { Metadata = Meta("s"), StringData = new Dictionary<string, string> { ["password"] = "hunter2" } };

        Assert.Empty(Create(strategy, secret));
        Assert.Equal("Opaque", secret.Type);
        Assert.Null(secret.StringData);
        Assert.Equal("hunter2", Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Equal("Opaque", strategy.GetSelectableField(secret, "type"));

        var retyped = Copy(secret);
        retyped.Type = "kubernetes.io/tls";
        retyped.Data["tls.crt"] = [1];
        retyped.Data["tls.key"] = [1];
        Assert.Equal(["type: Invalid value: \"kubernetes.io/tls\": field is immutable"], Update(strategy, retyped, secret));
    }

    [Fact]
    public void Secret_TlsType_RequiresKeys()
    {
        var secret = new V1Secret { Metadata = Meta("s"), Type = "kubernetes.io/tls" };
        Assert.Equal(["data[tls.crt]: Required value", "data[tls.key]: Required value"], Create(new SecretStrategy(), secret));
    }

    [Fact]
    public void Event_SelectableFieldsAndNamespaceMatch()
    {
        IResourceStrategy strategy = new EventStrategy();
        var ev = new Corev1Event
        {
            Metadata = Meta("web.1"),
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web", NamespaceProperty = "default", Uid = "u1" },
            Reason = "Started",
            Source = new V1EventSource { Component = "kubelet" },
            Type = "Normal",
        };

        Assert.Empty(Create(strategy, ev));
        Assert.Equal("Pod", strategy.GetSelectableField(ev, "involvedObject.kind"));
        Assert.Equal("kubelet", strategy.GetSelectableField(ev, "source"));
        Assert.Equal("Started", strategy.GetSelectableField(ev, "reason"));
        Assert.Equal(11, strategy.SelectableFields.Count);

        ev.InvolvedObject.NamespaceProperty = "other";
        Assert.Equal(["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"], Create(strategy, ev));
    }

    [Fact]
    public void EventsEvent_RequiresReportingFields()
    {
        var errors = Create(new EventsEventStrategy(), new Eventsv1Event { Metadata = Meta("e"), Type = "Normal" });

        Assert.Equal(
            ["eventTime: Required value", "reportingController: Required value", "reportingInstance: Required value", "action: Required value", "reason: Required value"],
            errors);
    }

    [Fact]
    public void EndpointSlice_RequiresAddressTypeAndKeepsIt()
    {
        IResourceStrategy strategy = new EndpointSliceStrategy();
        Assert.Equal(["addressType: Required value"], Create(strategy, new V1EndpointSlice { Metadata = Meta("web-abc") }));

        var old = new V1EndpointSlice { Metadata = Meta("web-abc"), AddressType = "IPv4" };
        var updated = Copy(old);
        updated.AddressType = "IPv6";
        Assert.Equal(["addressType: Invalid value: \"IPv6\": field is immutable"], Update(strategy, updated, old));
    }

    [Fact]
    public void PriorityClass_RulesForValueAndSystemNames()
    {
        IResourceStrategy strategy = new PriorityClassStrategy();
        var high = new V1PriorityClass { Metadata = Meta("high", null), Value = 1000 };
        Assert.Empty(Create(strategy, high));
        Assert.Equal("PreemptLowerPriority", high.PreemptionPolicy);

        Assert.Equal(["value: Required value"], Create(strategy, new V1PriorityClass { Metadata = Meta("x", null) }));
        Assert.Empty(Create(strategy, new V1PriorityClass { Metadata = Meta("system-node-critical", null), Value = 2_000_001_000 }));
        Assert.Equal(
            ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
            Create(strategy, new V1PriorityClass { Metadata = Meta("system-mine", null), Value = 1 }));

        var changed = Copy(high);
        changed.Value = 2000;
        Assert.Equal(["value: Forbidden: may not be changed in an update."], Update(strategy, changed, high));
    }

    [Fact]
    public void Lease_RejectsNonPositiveDuration()
    {
        var lease = new V1Lease { Metadata = Meta("node-1"), Spec = new V1LeaseSpec { LeaseDurationSeconds = 0 } };
        Assert.Equal(["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"], Create(new LeaseStrategy(), lease));
    }
}

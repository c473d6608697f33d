using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>
/// Nodes, after pkg/registry/core/node/strategy.go. Unlike most kinds a node keeps the status it is created with
/// (the kubelet registers with its capacity and addresses); main-resource updates keep the stored status.
/// </summary>
internal sealed class NodeStrategy : ResourceStrategy<V1Node>
{
    private static readonly IReadOnlyCollection<string> Fields = ["spec.unschedulable"];

    public override IReadOnlyCollection<string> SelectableFields => Fields;

    protected override void PrepareForUpdate(V1Node obj, V1Node old) => obj.Status = old.Status;

    /// <summary>SetDefaults_NodeStatus: allocatable defaults to capacity.</summary>
    protected override void Default(V1Node obj)
    {
        if (obj.Status is { Allocatable: null, Capacity: { } capacity })
        {
            obj.Status.Allocatable = capacity.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value.ToString()));
        }
    }

    protected override void Validate(V1Node obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var cidrs = obj.Spec?.PodCIDRs ?? (string.IsNullOrEmpty(obj.Spec?.PodCIDR) ? [] : [obj.Spec.PodCIDR]);
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(cidrs[i], out _))
            {
                errors.Add(FieldError.Invalid($"spec.podCIDRs[{i}]", cidrs[i], "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
            }
        }
    }

    /// <summary>As ValidateNodeUpdate: a pod CIDR may be set once, never changed.</summary>
    protected override void ValidateUpdate(V1Node obj, V1Node old, List<FieldError> errors)
    {
        Validate(obj, errors);
        if (old.Spec?.PodCIDRs is { Count: > 0 } oldCidrs && !SemanticEquality.AreEqual(oldCidrs, obj.Spec?.PodCIDRs))
        {
            errors.Add(FieldError.Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
    }

    protected override string GetSelectableField(V1Node obj, string field) => field switch
    {
        "spec.unschedulable" => obj.Spec?.Unschedulable == true ? "true" : "false",
        _ => "",
    };
}

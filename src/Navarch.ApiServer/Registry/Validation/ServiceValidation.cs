using System.Net;
using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>Service spec rules, after the main checks of Kubernetes' ValidateService and ValidateServiceUpdate.</summary>
internal static class ServiceValidation
{
    public static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] Affinities = ["ClientIP", "None"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];
    private static readonly string[] FamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];

    public static bool IsHeadless(V1ServiceSpec spec) => spec.ClusterIP == "None";

    public static bool NeedsClusterIp(V1ServiceSpec spec) => spec.Type != "ExternalName" && !IsHeadless(spec);

    public static bool NeedsNodePorts(V1ServiceSpec spec) =>
        spec.Type == "NodePort" || (spec.Type == "LoadBalancer" && spec.AllocateLoadBalancerNodePorts != false);

    public static void ValidateSpec(V1ServiceSpec? spec, List<FieldError> errors)
    {
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec"));
            return;
        }

        var type = spec.Type ?? "ClusterIP";
        if (!Types.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.type", type, Types));
        }

        if (type == "ExternalName")
        {
            if (string.IsNullOrEmpty(spec.ExternalName))
            {
                errors.Add(FieldError.Required("spec.externalName"));
            }
            else
            {
                foreach (var message in NameValidation.IsDns1123Subdomain(spec.ExternalName.TrimEnd('.')))
                {
                    errors.Add(FieldError.Invalid("spec.externalName", spec.ExternalName, message));
                }
            }

            if (!string.IsNullOrEmpty(spec.ClusterIP))
            {
                errors.Add(FieldError.Forbidden("spec.clusterIP", "may not be set for ExternalName services"));
            }
        }
        else
        {
            ValidateClusterIps(spec, errors);
        }

        if (spec.Ports is not { Count: > 0 })
        {
            if (!IsHeadless(spec) && type != "ExternalName")
            {
                errors.Add(FieldError.Required("spec.ports"));
            }
        }
        else
        {
            ValidatePorts(spec, type, errors);
        }

        if (spec.SessionAffinity is { } affinity && !Affinities.Contains(affinity))
        {
            errors.Add(FieldError.NotSupported("spec.sessionAffinity", affinity, Affinities));
        }

        if (spec.ExternalTrafficPolicy is { Length: > 0 } external && !TrafficPolicies.Contains(external))
        {
            errors.Add(FieldError.NotSupported("spec.externalTrafficPolicy", external, TrafficPolicies));
        }

        if (spec.InternalTrafficPolicy is { Length: > 0 } internalPolicy && !TrafficPolicies.Contains(internalPolicy))
        {
            errors.Add(FieldError.NotSupported("spec.internalTrafficPolicy", internalPolicy, TrafficPolicies));
        }

        if (spec.IpFamilyPolicy is { Length: > 0 } familyPolicy && !FamilyPolicies.Contains(familyPolicy))
        {
            errors.Add(FieldError.NotSupported("spec.ipFamilyPolicy", familyPolicy, FamilyPolicies));
        }

        var index = 0;
        foreach (var family in spec.IpFamilies ?? [])
        {
            // This cluster is single-stack IPv4, as k3s is by default.
            if (family != "IPv4")
            {
                errors.Add(FieldError.Invalid($"spec.ipFamilies[{index}]", family, "not configured on this cluster"));
            }

            index++;
        }

        ObjectMetaValidation.ValidateLabels(spec.Selector, "spec.selector", errors);
    }

    private static void ValidateClusterIps(V1ServiceSpec spec, List<FieldError> errors)
    {
        if (spec.ClusterIPs is { Count: > 0 } ips && !string.IsNullOrEmpty(spec.ClusterIP) && ips[0] != spec.ClusterIP)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs", GoLiteral.StringList(ips), "first value must match `clusterIP`"));
        }

        var all = spec.ClusterIPs ?? (string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP]);
        for (var i = 0; i < all.Count; i++)
        {
            var ip = all[i];
            if (ip == "None" && i == 0)
            {
                continue;
            }

            if (!IPAddress.TryParse(ip, out _))
            {
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }
    }

    private static void ValidatePorts(V1ServiceSpec spec, string type, List<FieldError> errors)
    {
        var requireName = spec.Ports.Count > 1;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Ports.Count; i++)
        {
            var port = spec.Ports[i];
            var at = $"spec.ports[{i}]";
            if (string.IsNullOrEmpty(port.Name))
            {
                if (requireName)
                {
                    errors.Add(FieldError.Required(at + ".name"));
                }
            }
            else
            {
                foreach (var message in NameValidation.IsDns1123Label(port.Name))
                {
                    errors.Add(FieldError.Invalid(at + ".name", port.Name, message));
                }

                if (!names.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate(at + ".name", port.Name));
                }
            }

            if (port.Port is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid(at + ".port", port.Port, NameValidation.InclusiveRange(1, 65535)));
            }

            if (port.Protocol is { } protocol && !Protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported(at + ".protocol", protocol, Protocols));
            }

            ValidateTargetPort(port.TargetPort, at + ".targetPort", errors);

            if (port.NodePort is { } nodePort and not 0)
            {
                if (type == "ClusterIP")
                {
                    errors.Add(FieldError.Forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
                }
                else if (type == "ExternalName")
                {
                    errors.Add(FieldError.Forbidden(at + ".nodePort", "may not be used when `type` is 'ExternalName'"));
                }
                else if (nodePort is < 1 or > 65535)
                {
                    errors.Add(FieldError.Invalid(at + ".nodePort", nodePort, NameValidation.InclusiveRange(1, 65535)));
                }
            }
        }
    }

    private static void ValidateTargetPort(IntOrString? target, string path, List<FieldError> errors)
    {
        if (target?.Value is not { Length: > 0 } value)
        {
            return;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            if (number is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid(path, number, NameValidation.InclusiveRange(1, 65535)));
            }

            return;
        }

        foreach (var message in NameValidation.IsValidPortName(value))
        {
            errors.Add(FieldError.Invalid(path, value, message));
        }
    }
}

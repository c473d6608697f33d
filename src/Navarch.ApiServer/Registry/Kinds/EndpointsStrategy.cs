using System.Net;
using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Endpoints, with the address and port rules of ValidateEndpoints; ports default to TCP.</summary>
internal sealed class EndpointsStrategy : ResourceStrategy<V1Endpoints>
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    protected override void Default(V1Endpoints obj)
    {
        foreach (var subset in obj.Subsets ?? [])
        {
            foreach (var port in subset.Ports ?? [])
            {
                port.Protocol ??= "TCP";
            }
        }
    }

    protected override void Validate(V1Endpoints obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var subsetIndex = 0;
        foreach (var subset in obj.Subsets ?? [])
        {
            var at = $"subsets[{subsetIndex++}]";
            ValidateAddresses(subset.Addresses, at + ".addresses", errors);
            ValidateAddresses(subset.NotReadyAddresses, at + ".notReadyAddresses", errors);
            var portIndex = 0;
            foreach (var port in subset.Ports ?? [])
            {
                var portPath = $"{at}.ports[{portIndex++}]";
                if (port.Port is < 1 or > 65535)
                {
                    errors.Add(FieldError.Invalid(portPath + ".port", port.Port, NameValidation.InclusiveRange(1, 65535)));
                }

                if (port.Protocol is { } protocol && !Protocols.Contains(protocol))
                {
                    errors.Add(FieldError.NotSupported(portPath + ".protocol", protocol, Protocols));
                }
            }
        }
    }

    private static void ValidateAddresses(IList<V1EndpointAddress>? addresses, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var address in addresses ?? [])
        {
            if (!IPAddress.TryParse(address.Ip ?? "", out _))
            {
                errors.Add(FieldError.Invalid($"{path}[{index}].ip", address.Ip ?? "", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }

            index++;
        }
    }
}

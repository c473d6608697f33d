using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>EndpointSlices, with the addressType rules of ValidateEndpointSlice; ports default to TCP.</summary>
internal sealed class EndpointSliceStrategy : ResourceStrategy<V1EndpointSlice>
{
    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];

    public override bool TracksGeneration => true;

    protected override void Default(V1EndpointSlice obj)
    {
        foreach (var port in obj.Ports ?? [])
        {
            port.Protocol ??= "TCP";
        }
    }

    protected override void Validate(V1EndpointSlice obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        if (string.IsNullOrEmpty(obj.AddressType))
        {
            errors.Add(FieldError.Required("addressType"));
        }
        else if (!AddressTypes.Contains(obj.AddressType))
        {
            errors.Add(FieldError.NotSupported("addressType", obj.AddressType, AddressTypes));
        }

        var index = 0;
        foreach (var endpoint in obj.Endpoints ?? [])
        {
            if (endpoint.Addresses is not { Count: > 0 })
            {
                errors.Add(FieldError.Required($"endpoints[{index}].addresses", "must contain at least 1 address"));
            }

            index++;
        }
    }

    protected override void ValidateUpdate(V1EndpointSlice obj, V1EndpointSlice old, List<FieldError> errors)
    {
        Validate(obj, errors);
        ObjectMetaValidation.ValidateImmutable(obj.AddressType, old.AddressType, "addressType", errors);
    }
}

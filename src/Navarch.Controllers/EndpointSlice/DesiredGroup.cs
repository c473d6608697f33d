using k8s.Models;

namespace Navarch.Controllers.EndpointSlice;

/// <summary>The endpoints that belong in slices of one address type and one set of ports.</summary>
internal sealed record DesiredGroup(string AddressType, IList<Discoveryv1EndpointPort>? Ports, Dictionary<string, V1Endpoint> Endpoints);

namespace Navarch.ApiServer.OpenApi;

/// <summary>A path and the operations served on it, with the parameters shared by all of them.</summary>
internal sealed record ApiPath(string Path, IReadOnlyList<ApiParameter> Parameters, IReadOnlyList<ApiOperation> Operations);

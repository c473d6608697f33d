namespace Navarch.ApiServer.OpenApi;

/// <summary>A path or query parameter, described as kube-apiserver describes it.</summary>
internal sealed record ApiParameter(string Name, string In, string Type, string Description, bool Required = false);

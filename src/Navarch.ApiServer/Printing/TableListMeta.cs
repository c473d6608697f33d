namespace Navarch.ApiServer.Printing;

/// <summary>
/// The Table's <c>metadata</c>: a list's resourceVersion, continue token and remaining count, or for a single
/// object (a GET, a watch event) just the object's resourceVersion.
/// </summary>
public sealed record TableListMeta(string? ResourceVersion, string? Continue = null, long? RemainingItemCount = null);

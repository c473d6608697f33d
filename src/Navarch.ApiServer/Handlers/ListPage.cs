using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Handlers;

/// <summary>One page of a list: the items, the revision they reflect, and how to get the rest.</summary>
public sealed record ListPage(List<CachedObject> Items, long Revision, string? Continue, long? Remaining);

using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;
using Navarch.Storage;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Get and list. Gets read the store (a quorum read, as kube-apiserver's default); lists come from the watch
/// cache once it has caught up with the store (a consistent read from cache), and paged lists read the store at
/// the revision of their first page so that pages stay consistent.
/// </summary>
public sealed class ReadHandler(ObjectRepository repository, WatchCacheSet caches, ResponseWriter responses)
{
    private static readonly TimeSpan CacheWait = TimeSpan.FromSeconds(3);

    public async Task GetAsync(HttpContext context, RequestInfo info)
    {
        var definition = info.Definition;
        var rv = context.Request.Query["resourceVersion"].ToString();
        Objects.ObjectCodec.ParseResourceVersion(rv);
        var obj = await repository.GetRequiredAsync(definition, definition.Key(info.Namespace, info.Name!), info.Name!, context.RequestAborted)
            .ConfigureAwait(false);
        await responses.WriteObjectAsync(context, StatusCodes.Status200OK, definition, obj).ConfigureAwait(false);
    }

    public async Task ListAsync(HttpContext context, RequestInfo info, ListOptions options)
    {
        var page = await ReadListAsync(info, options, context.RequestAborted).ConfigureAwait(false);
        await responses.WriteListAsync(context, info.Definition, page.Items, page.Revision, page.Continue, page.Remaining).ConfigureAwait(false);
    }

    public async Task<ListPage> ReadListAsync(RequestInfo info, ListOptions options, CancellationToken cancellationToken)
    {
        var definition = info.Definition;
        var filter = ObjectFilter.Create(definition, options);
        var rv = ObjectCodec.ParseResourceVersion(options.ResourceVersion);
        var match = options.ResourceVersionMatch;
        if (match is not (null or "NotOlderThan" or "Exact"))
        {
            throw ApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
        }

        if (match is not null && options.ResourceVersion is null)
        {
            throw ApiException.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }

        if (options.Continue is not null && options.ResourceVersion is not null && options.ResourceVersion != "0")
        {
            throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
        }

        var paged = options.Continue is not null || (options.Limit > 0 && options.ResourceVersion != "0");
        if (paged || match == "Exact")
        {
            return await ReadStorePageAsync(definition, info.Namespace, filter, options, match == "Exact" ? rv : 0, cancellationToken)
                .ConfigureAwait(false);
        }

        var cache = caches[definition];
        if (options.ResourceVersion != "0")
        {
            var target = rv > 0 ? rv : await repository.Store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            await cache.WaitForRevisionAsync(target, CacheWait, cancellationToken).ConfigureAwait(false);
        }

        var (items, revision) = cache.Snapshot(definition.Prefix(info.Namespace));
        if (!filter.IsEverything)
        {
            items.RemoveAll(item => !filter.Matches(item));
        }

        return new ListPage(items, revision, null, null);
    }

    private async Task<ListPage> ReadStorePageAsync(
        ResourceDefinition definition, string? ns, ObjectFilter filter, ListOptions options, long exactRevision, CancellationToken cancellationToken)
    {
        var prefix = definition.Prefix(ns);
        var token = options.Continue is null ? null : ContinueToken.Decode(options.Continue);
        var revision = token?.Revision ?? exactRevision;
        var after = token is null ? null : prefix + token.StartAfter;
        var limit = options.Limit > 0 ? options.Limit : int.MaxValue;
        var items = new List<CachedObject>(Math.Min(limit, 1024));
        var more = false;
        long? remaining = null;
        try
        {
            while (true)
            {
                var batch = Math.Min(limit == int.MaxValue ? 1000 : Math.Max(limit - items.Count, 1), 1000);
                var page = await repository.Store.RangeAsync(new RangeRequest(prefix, batch, after, revision), cancellationToken)
                    .ConfigureAwait(false);
                revision = page.Revision;
                for (var i = 0; i < page.Items.Count; i++)
                {
                    var kv = page.Items[i];
                    after = kv.Key;
                    var cached = ObjectCodec.ToCached(definition, kv.Key, ObjectCodec.Decode(definition, kv), kv.ModRevision);
                    if (filter.Matches(cached))
                    {
                        items.Add(cached);
                    }

                    if (items.Count == limit)
                    {
                        var leftInPage = page.Items.Count - i - 1;
                        more = leftInPage > 0 || page.More;
                        if (more && filter.IsEverything)
                        {
                            remaining = leftInPage + page.Remaining;
                        }

                        break;
                    }
                }

                if (items.Count == limit || !page.More || page.Items.Count == 0)
                {
                    break;
                }
            }
        }
        catch (CompactedException)
        {
            throw ApiException.Expired(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        }
        catch (FutureRevisionException)
        {
            throw ApiException.Timeout($"Too large resource version: {revision}", 1);
        }

        var next = more && after is not null ? new ContinueToken(revision, after[prefix.Length..]).Encode() : null;
        return new ListPage(items, revision, next, remaining);
    }
}

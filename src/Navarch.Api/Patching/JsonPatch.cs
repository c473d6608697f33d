using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// RFC 6902 JSON Patch (<c>application/json-patch+json</c>) on <see cref="JsonNode"/>, with the limits and
/// error messages of kube-apiserver and the evanphx/json-patch library it uses. The input document is
/// never modified; a new node is returned.
/// </summary>
public static class JsonPatch
{
    /// <summary>As kube-apiserver's maxJSONPatchOperations.</summary>
    public const int MaxOperations = 10_000;

    /// <summary>
    /// Bound on the bytes all <c>copy</c> operations of one patch may add, so that a small patch cannot
    /// grow a document exponentially by copying it into itself (evanphx's AccumulatedCopySizeLimit).
    /// Matches kube-apiserver's 3 MiB request body limit.
    /// </summary>
    public const long MaxAccumulatedCopyBytes = 3 * 1024 * 1024;

    /// <summary>Applies a patch given as JSON text.</summary>
    /// <exception cref="PatchException">The patch cannot be decoded (400), is too large (413) or does not apply (422).</exception>
    public static JsonNode Apply(JsonNode document, string patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(patch);
        }
        catch (JsonException e)
        {
            throw new PatchException(PatchErrorKind.BadRequest, "error decoding patch: " + e.Message);
        }

        return Apply(document, parsed ?? throw new PatchException(PatchErrorKind.BadRequest, "json: cannot unmarshal null into Go value of type jsonpatch.Patch"));
    }

    /// <summary>Applies a patch (a JSON array of operations) to a copy of <paramref name="document"/>.</summary>
    /// <exception cref="PatchException">The patch cannot be decoded (400), is too large (413) or does not apply (422).</exception>
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(patch);
        var operations = DecodePatch(patch);
        if (document is not (JsonObject or JsonArray))
        {
            throw new PatchException(PatchErrorKind.BadRequest, "the document to patch must be a JSON object or array");
        }

        var root = document.DeepClone();
        long copied = 0;
        foreach (var operation in operations)
        {
            var kind = StringMember(operation, "op") ?? "unknown";
            switch (kind)
            {
                case "add": Add(root, operation); break;
                case "remove": Remove(root, operation); break;
                case "replace": Replace(root, operation); break;
                case "move": Move(root, operation); break;
                case "copy": Copy(root, operation, ref copied); break;
                case "test": Test(root, operation); break;
                default: throw Invalid($"Unexpected kind: {kind}");
            }
        }

        return root;
    }

    private static List<JsonObject> DecodePatch(JsonNode patch)
    {
        if (patch is not JsonArray array)
        {
            throw new PatchException(PatchErrorKind.BadRequest, $"json: cannot unmarshal {GoJsonKind(patch)} into Go value of type jsonpatch.Patch");
        }

        if (array.Count > MaxOperations)
        {
            throw new PatchException(
                PatchErrorKind.RequestEntityTooLarge,
                $"The allowed maximum operations in a JSON patch is {MaxOperations}, got {array.Count}");
        }

        var operations = new List<JsonObject>(array.Count);
        foreach (var item in array)
        {
            operations.Add(item as JsonObject ?? throw new PatchException(
                PatchErrorKind.BadRequest,
                $"json: cannot unmarshal {GoJsonKind(item)} into Go value of type jsonpatch.Operation"));
        }

        return operations;
    }

    private static string GoJsonKind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            _ => "bool",
        },
    };

    private static string? StringMember(JsonObject operation, string name) =>
        operation.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : null;

    // A missing "value" adds JSON null, as evanphx/json-patch v4 (which kube-apiserver uses) does.
    private static JsonNode? Value(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var node) ? node?.DeepClone() : null;

    private static string RequirePath(JsonObject operation, string kind, string member = "path") =>
        StringMember(operation, member) ?? throw Invalid($"{kind} operation failed to decode {member}: missing value");

    private static PatchException Invalid(string message) => new(PatchErrorKind.Invalid, message);

    private static void Add(JsonNode root, JsonObject operation)
    {
        var path = RequirePath(operation, "add");
        var (container, key) = FindContainer(root, path);
        if (container is null)
        {
            throw Invalid($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        var error = AddTo(container, key, Value(operation));
        if (error is not null)
        {
            throw Invalid($"error in add for path: '{path}': {error}");
        }
    }

    private static void Remove(JsonNode root, JsonObject operation)
    {
        var path = RequirePath(operation, "remove");
        var (container, key) = FindContainer(root, path);
        if (container is null)
        {
            throw Invalid($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        var error = RemoveFrom(container, key, out _);
        if (error is not null)
        {
            throw Invalid($"error in remove for path: '{path}': {error}");
        }
    }

    private static void Replace(JsonNode root, JsonObject operation)
    {
        var path = RequirePath(operation, "replace");
        var (container, key) = FindContainer(root, path);
        if (container is null)
        {
            throw Invalid($"replace operation does not apply: doc is missing path: {path}: missing value");
        }

        if (Get(container, key, out _) is not null)
        {
            throw Invalid($"replace operation does not apply: doc is missing key: {path}: missing value");
        }

        var value = Value(operation);
        if (container is JsonObject obj)
        {
            obj[key] = value;
        }
        else
        {
            var array = (JsonArray)container;
            array[NormalizeIndex(array, ParseIndex(key))] = value;
        }
    }

    private static void Move(JsonNode root, JsonObject operation)
    {
        var from = RequirePath(operation, "move", "from");
        var (source, sourceKey) = FindContainer(root, from);
        if (source is null)
        {
            throw Invalid($"move operation does not apply: doc is missing from path: {from}: missing value");
        }

        var error = RemoveFrom(source, sourceKey, out var value);
        if (error is not null)
        {
            throw Invalid($"error in move for path: '{sourceKey}': {error}");
        }

        var path = RequirePath(operation, "move");
        var (target, key) = FindContainer(root, path);
        if (target is null)
        {
            throw Invalid($"move operation does not apply: doc is missing destination path: {path}: missing value");
        }

        error = AddTo(target, key, value);
        if (error is not null)
        {
            throw Invalid($"error in move for path: '{path}': {error}");
        }
    }

    private static void Copy(JsonNode root, JsonObject operation, ref long copied)
    {
        var from = RequirePath(operation, "copy", "from");
        var (source, sourceKey) = FindContainer(root, from);
        if (source is null)
        {
            throw Invalid($"copy operation does not apply: doc is missing from path: {from}: missing value");
        }

        var error = Get(source, sourceKey, out var value);
        if (error is not null)
        {
            throw Invalid($"error in copy for from: '{from}': {error}");
        }

        var path = RequirePath(operation, "copy");
        var (target, key) = FindContainer(root, path);
        if (target is null)
        {
            throw Invalid($"copy operation does not apply: doc is missing destination path: {path}: missing value");
        }

        var clone = value?.DeepClone();
        copied += clone is null ? 4 : clone.ToJsonString().Length;
        if (copied > MaxAccumulatedCopyBytes)
        {
            throw new PatchException(
                PatchErrorKind.RequestEntityTooLarge,
                $"Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {MaxAccumulatedCopyBytes}");
        }

        error = AddTo(target, key, clone);
        if (error is not null)
        {
            throw Invalid($"error while adding value during copy: {error}");
        }
    }

    private static void Test(JsonNode root, JsonObject operation)
    {
        var path = RequirePath(operation, "test");
        var expected = operation.TryGetPropertyValue("value", out var v) ? v : null;
        if (path.Length == 0)
        {
            if (!JsonNode.DeepEquals(root, expected))
            {
                throw Invalid($"testing value {path} failed: test failed");
            }

            return;
        }

        var (container, key) = FindContainer(root, path);
        if (container is null)
        {
            throw Invalid($"test operation does not apply: is missing path: {path}: missing value");
        }

        if (Get(container, key, out var actual) is not null || !JsonNode.DeepEquals(actual, expected))
        {
            throw Invalid($"testing value {path} failed: test failed");
        }
    }

    /// <summary>
    /// Resolves every segment but the last, as evanphx's findObject: the parent must exist and be an object or
    /// array. The whole-document path "" has no parent and so is "missing" for add/remove/replace/move/copy.
    /// </summary>
    private static (JsonNode? Container, string Key) FindContainer(JsonNode root, string path)
    {
        var segments = path.Split('/');
        if (segments.Length < 2)
        {
            return (null, string.Empty);
        }

        var node = root;
        for (var i = 1; i < segments.Length - 1; i++)
        {
            if (Get(node, DecodeSegment(segments[i]), out var next) is not null || next is not (JsonObject or JsonArray))
            {
                return (null, string.Empty);
            }

            node = next;
        }

        return (node, DecodeSegment(segments[^1]));
    }

    private static string DecodeSegment(string segment) =>
        segment.Contains('~', StringComparison.Ordinal) ? segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) : segment;

    /// <summary>Reads a member or element; returns an error text (evanphx wording) when it does not exist.</summary>
    private static string? Get(JsonNode container, string key, out JsonNode? value)
    {
        if (container is JsonObject obj)
        {
            if (obj.TryGetPropertyValue(key, out value))
            {
                return null;
            }

            return $"unable to get nonexistent key: {key}: missing value";
        }

        var array = (JsonArray)container;
        value = null;
        if (!TryParseIndex(key, out var index, out var error))
        {
            return error;
        }

        var normalized = NormalizeIndex(array, index);
        if (normalized < 0 || normalized >= array.Count)
        {
            return InvalidIndex(index);
        }

        value = array[normalized];
        return null;
    }

    private static string? AddTo(JsonNode container, string key, JsonNode? value)
    {
        if (container is JsonObject obj)
        {
            obj[key] = value;
            return null;
        }

        var array = (JsonArray)container;
        if (key == "-")
        {
            array.Add(value);
            return null;
        }

        if (!TryParseIndex(key, out var index, out var error))
        {
            return $"value was not a proper array index: '{key}': {error}";
        }

        // Inserting may target one past the end; negative indices count from the end of the grown array.
        var size = array.Count + 1;
        if (index >= size || index < -size)
        {
            return InvalidIndex(index);
        }

        array.Insert(index < 0 ? index + size : index, value);
        return null;
    }

    private static string? RemoveFrom(JsonNode container, string key, out JsonNode? removed)
    {
        if (container is JsonObject obj)
        {
            if (!obj.TryGetPropertyValue(key, out removed))
            {
                return $"Unable to remove nonexistent key: {key}: missing value";
            }

            obj.Remove(key);
            return null;
        }

        var array = (JsonArray)container;
        removed = null;
        if (!TryParseIndex(key, out var index, out var error))
        {
            return error;
        }

        var normalized = NormalizeIndex(array, index);
        if (normalized < 0 || normalized >= array.Count)
        {
            return InvalidIndex(index);
        }

        removed = array[normalized];
        array.RemoveAt(normalized);
        return null;
    }

    private static string InvalidIndex(int index) => $"Unable to access invalid index: {index}: invalid index referenced";

    // evanphx/json-patch v4 accepts negative indices counting from the end; kube-apiserver inherits that.
    private static int NormalizeIndex(JsonArray array, int index) => index < 0 ? index + array.Count : index;

    private static int ParseIndex(string key) => int.Parse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // As strconv.Atoi, whose error text is part of the message.
    private static bool TryParseIndex(string key, out int index, out string? error)
    {
        if (int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
        {
            error = null;
            return true;
        }

        var isNumber = key.Length > 0 && key.TrimStart('+', '-').Length > 0 && key.TrimStart('+', '-').All(char.IsAsciiDigit);
        error = $"strconv.Atoi: parsing {GoFormat.Quote(key)}: {(isNumber ? "value out of range" : "invalid syntax")}";
        return false;
    }
}

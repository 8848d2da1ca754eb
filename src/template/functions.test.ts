/**
 * The function library, one block per function, with the examples of Microsoft's "ARM template
 * functions" pages (inputs and outputs as the docs' example templates and tables give them).
 */
import { describe, expect, it } from "vitest";
import { evaluateStandalone } from "./standalone.js";
import type { EvalHost } from "./types.js";

const host: EvalHost = {
  now: () => "2019-03-05T17:53:18Z",
  newGuid: () => "b76a51fc-bd72-4a77-b9a2-3c29e7d2e551",
  getResource: () => undefined,
};

const ev = (text: string, parameters: Record<string, unknown> = {}) =>
  evaluateStandalone(text.startsWith("[") ? text : `[${text}]`, { parameters, host });

function failure(text: string, parameters: Record<string, unknown> = {}): string {
  try {
    ev(text, parameters);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${text} to fail`);
}

describe("string functions", () => {
  it("base64 / base64ToString / base64ToJson: docs example", () => {
    expect(ev("base64('one, two, three')")).toBe("b25lLCB0d28sIHRocmVl");
    expect(ev("base64ToString('b25lLCB0d28sIHRocmVl')")).toBe("one, two, three");
    expect(ev(`base64ToJson('eyJvbmUiOiAiYSIsICJ0d28iOiAiYiJ9')`)).toEqual({ one: "a", two: "b" });
  });
  it("concat: docs examples (strings, arrays)", () => {
    expect(ev("concat('prefix', '-', 'x')")).toBe("prefix-x");
    expect(ev("concat(createArray('1-1', '1-2', '1-3'), createArray('2-1', '2-2', '2-3'))")).toEqual([
      "1-1",
      "1-2",
      "1-3",
      "2-1",
      "2-2",
      "2-3",
    ]);
    expect(ev("concat('nic', 1)")).toBe("nic1");
  });
  it("contains: docs example (case-sensitive strings, case-insensitive object keys)", () => {
    const p = { o: { one: "a", two: "b", three: "c" }, a: ["one", "two", "three"] };
    expect(ev("contains('OneTwoThree', 'e')")).toBe(true);
    expect(ev("contains('OneTwoThree', 'z')")).toBe(false);
    expect(ev("contains('OneTwoThree', 'one')")).toBe(false);
    expect(ev("contains(parameters('o'), 'ONE')", p)).toBe(true);
    expect(ev("contains(parameters('o'), 'a')", p)).toBe(false);
    expect(ev("contains(parameters('a'), 'three')", p)).toBe(true);
    expect(ev("contains(parameters('a'), 'four')", p)).toBe(false);
  });
  it("dataUri / dataUriToString: docs example", () => {
    expect(ev("dataUri('Hello')")).toBe("data:text/plain;charset=utf8;base64,SGVsbG8=");
    expect(ev("dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')")).toBe("Hello, World!");
  });
  it("empty: docs example", () => {
    expect(ev("empty(createArray())")).toBe(true);
    expect(ev("empty(json('{}'))")).toBe(true);
    expect(ev("empty('')")).toBe(true);
    expect(ev("empty(null())")).toBe(true);
    expect(ev("empty('a')")).toBe(false);
  });
  it("startsWith / endsWith: docs example (case-insensitive)", () => {
    expect(ev("startsWith('abcdef', 'ab')")).toBe(true);
    expect(ev("startsWith('abcdef', 'A')")).toBe(true);
    expect(ev("startsWith('abcdef', 'e')")).toBe(false);
    expect(ev("endsWith('abcdef', 'ef')")).toBe(true);
    expect(ev("endsWith('abcdef', 'F')")).toBe(true);
    expect(ev("endsWith('abcdef', 'e')")).toBe(false);
  });
  it("first / last: docs example", () => {
    expect(ev("first(createArray('one', 'two', 'three'))")).toBe("one");
    expect(ev("first('One Two Three')")).toBe("O");
    expect(ev("last(createArray('one', 'two', 'three'))")).toBe("three");
    expect(ev("last('One Two Three')")).toBe("e");
  });
  it("format: docs example and .NET format items", () => {
    expect(ev("format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)")).toBe(
      "Hello, User. Formatted number: 8,175,133",
    );
    expect(ev("format('{0:D3}', 7)")).toBe("007");
    expect(ev("format('vm-{0:000}', 42)")).toBe("vm-042");
    expect(ev("format('{0:X}', 255)")).toBe("FF");
    expect(ev("format('{0:N2}', 1234.5)")).toBe("1,234.50");
    expect(ev("format('{0:F1}', 2)")).toBe("2.0");
    expect(ev("format('{{literal}} {0,5}|{0,-5}|', 'ab')")).toBe("{literal}    ab|ab   |");
    expect(ev("format('{0} {1}', true(), 'x')")).toBe("True x");
    expect(failure("format('{1}', 'a')")).toMatch(/Index \(zero based\)/);
  });
  it("guid: a v5 UUID of the joined parts", () => {
    expect(ev("guid('a', 'b', 'c')")).toBe("a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
  });
  it("indexOf / lastIndexOf: docs example (case-insensitive)", () => {
    expect(ev("indexOf('test', 't')")).toBe(0);
    expect(ev("lastIndexOf('test', 't')")).toBe(3);
    expect(ev("indexOf('abcdef', 'CD')")).toBe(2);
    expect(ev("lastIndexOf('abcdef', 'AB')")).toBe(0);
    expect(ev("indexOf('abcdef', 'z')")).toBe(-1);
  });
  it("length: docs example", () => {
    expect(ev("length(createArray('a', 'b', 'c'))")).toBe(3);
    expect(ev("length('One Two Three')")).toBe(13);
    expect(ev('length(json(\'{"a":1,"b":2,"c":3,"d":4}\'))')).toBe(4);
  });
  it("newGuid: only in parameter defaults", () => {
    expect(evaluateStandalone("[newGuid()]", { host, nonDeterministic: true })).toBe(
      "b76a51fc-bd72-4a77-b9a2-3c29e7d2e551",
    );
    expect(failure("newGuid()")).toMatch(/can only be used with parameter default values/);
  });
  it("padLeft: docs example", () => {
    expect(ev("padLeft('123', 10, '0')")).toBe("0000000123");
    expect(ev("padLeft(5, 3, '0')")).toBe("005");
    expect(ev("padLeft('abcdef', 3, '0')")).toBe("abcdef");
    expect(ev("padLeft('ab', 4)")).toBe("  ab");
  });
  it("replace: docs example", () => {
    expect(ev("replace('123-123-1234', '-', '')")).toBe("1231231234");
    expect(ev("replace('123-123-1234', '1234', 'xxxx')")).toBe("123-123-xxxx");
  });
  it("skip / take: docs example", () => {
    expect(ev("skip(createArray('one', 'two', 'three'), 2)")).toEqual(["three"]);
    expect(ev("skip('one two three', 4)")).toBe("two three");
    expect(ev("take(createArray('one', 'two', 'three'), 2)")).toEqual(["one", "two"]);
    expect(ev("take('one two three', 2)")).toBe("on");
    expect(ev("take('abc', -1)")).toBe("");
    expect(ev("skip('abc', 9)")).toBe("");
  });
  it("split: docs example", () => {
    expect(ev("split('one,two,three', ',')")).toEqual(["one", "two", "three"]);
    expect(ev("split('one;two,three', createArray(',', ';'))")).toEqual(["one", "two", "three"]);
  });
  it("string: docs example", () => {
    expect(ev('string(json(\'{"valueA":10,"valueB":"Example Text"}\'))')).toBe(
      '{"valueA":10,"valueB":"Example Text"}',
    );
    expect(ev("string(createArray('a', 'b', 'c'))")).toBe('["a","b","c"]');
    expect(ev("string(5)")).toBe("5");
    expect(ev("string(true())")).toBe("True");
  });
  it("substring: docs example and its documented error", () => {
    expect(ev("substring('one two three', 4, 3)")).toBe("two");
    expect(failure("substring('1234567890', 0, 11)")).toBe(
      "The index and length parameters must refer to a location within the string. The index parameter: '0', the length parameter: '11', the length of the string parameter: '10'.",
    );
  });
  it("toLower / toUpper / trim: docs example", () => {
    expect(ev("toLower('One Two Three')")).toBe("one two three");
    expect(ev("toUpper('One Two Three')")).toBe("ONE TWO THREE");
    expect(ev("trim('    one two three   ')")).toBe("one two three");
  });
  it("uniqueString: 13 base32 characters", () => {
    expect(ev("uniqueString('test')")).toBe("rbgf3xv4ufgzg");
  });
  it("uri / uriComponent / uriComponentToString: docs example", () => {
    expect(ev("uri('http://contoso.com/resources/', 'nested/azuredeploy.json')")).toBe(
      "http://contoso.com/resources/nested/azuredeploy.json",
    );
    expect(ev("uri('http://contoso.org/firstpath', 'myscript.sh')")).toBe("http://contoso.org/myscript.sh");
    expect(ev("uriComponent('http://contoso.com/resources/nested/azuredeploy.json')")).toBe(
      "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json",
    );
    expect(
      ev("uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')"),
    ).toBe("http://contoso.com/resources/nested/azuredeploy.json");
  });
  it("utcNow: docs example formats", () => {
    const now = (f: string) => evaluateStandalone(`[utcNow(${f})]`, { host, nonDeterministic: true });
    expect(now("")).toBe("20190305T175318Z");
    expect(now("'d'")).toBe("03/05/2019");
    expect(now("'M d'")).toBe("3 5");
    expect(now("'u'")).toBe("2019-03-05 17:53:18Z");
    expect(failure("utcNow()")).toMatch(/can only be used with parameter default values/);
  });
});

describe("array and object functions", () => {
  it("array / createArray / createObject: docs examples", () => {
    expect(ev("array(1)")).toEqual([1]);
    expect(ev("array('efgh')")).toEqual(["efgh"]);
    expect(ev('array(json(\'{"a":"b"}\'))')).toEqual([{ a: "b" }]);
    expect(ev("createArray(1, 2, 3)")).toEqual([1, 2, 3]);
    expect(
      ev(
        "createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true(), 'arrayProp', createArray('a', 'b', 'c'), 'objectProp', createObject('key1', 'value1'))",
      ),
    ).toEqual({
      intProp: 1,
      stringProp: "abc",
      boolProp: true,
      arrayProp: ["a", "b", "c"],
      objectProp: { key1: "value1" },
    });
  });
  it("intersection / union: docs examples", () => {
    const p = {
      a: { one: "a", two: "b", three: "c" },
      b: { one: "a", two: "z", three: "c" },
      x: ["one", "two", "three"],
      y: ["two", "three"],
      u1: { one: "a", two: "b", three: "c1" },
      u2: { three: "c2", four: "d", five: "e" },
    };
    expect(ev("intersection(parameters('a'), parameters('b'))", p)).toEqual({ one: "a", three: "c" });
    expect(ev("intersection(parameters('x'), parameters('y'))", p)).toEqual(["two", "three"]);
    expect(ev("union(parameters('u1'), parameters('u2'))", p)).toEqual({
      one: "a",
      two: "b",
      three: "c2",
      four: "d",
      five: "e",
    });
    expect(ev("union(parameters('x'), createArray('three', 'four'))", p)).toEqual([
      "one",
      "two",
      "three",
      "four",
    ]);
  });
  it("union merges nested objects and replaces nested arrays (docs example)", () => {
    const p = {
      a: { property: { one: "a", two: "b", three: "c1" }, nestedArray: [1, 2] },
      b: { property: { three: "c2", four: "d", five: "e" }, nestedArray: [3, 4] },
    };
    expect(ev("union(parameters('a'), parameters('b'))", p)).toEqual({
      property: { one: "a", two: "b", three: "c2", four: "d", five: "e" },
      nestedArray: [3, 4],
    });
  });
  it("items: sorted by key (docs)", () => {
    expect(ev('items(json(\'{"b":"demo","a":"sample","c":1}\'))')).toEqual([
      { key: "a", value: "sample" },
      { key: "b", value: "demo" },
      { key: "c", value: 1 },
    ]);
  });
  it("min / max / range: docs examples", () => {
    expect(ev("min(createArray(0, 3, 2, 5, 4))")).toBe(0);
    expect(ev("min(0, 3, 2, 5, 4)")).toBe(0);
    expect(ev("max(createArray(0, 3, 2, 5, 4))")).toBe(5);
    expect(ev("range(1, 3)")).toEqual([1, 2, 3]);
    expect(ev("range(5, 0)")).toEqual([]);
  });
  it("indexOf / lastIndexOf on arrays: docs example", () => {
    expect(ev("indexOf(createArray('abc', 1, 'xyz'), 'abc')")).toBe(0);
    expect(ev("indexOf(createArray(1, 2, 3, 1), 1)")).toBe(0);
    expect(ev("lastIndexOf(createArray(1, 2, 3, 1), 1)")).toBe(3);
    expect(ev("indexOf(createArray(1, 2), 'x')")).toBe(-1);
  });
  it("flatten / objectKeys / shallowMerge / join: docs examples", () => {
    expect(
      ev(
        "flatten(createArray(createArray('one', 'two'), createArray('three'), createArray('four', 'five')))",
      ),
    ).toEqual(["one", "two", "three", "four", "five"]);
    expect(ev('objectKeys(json(\'{"a":1,"b":2}\'))')).toEqual(["a", "b"]);
    expect(
      ev(
        "shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b'), createObject('two', 'c')))",
      ),
    ).toEqual({ one: "a", two: "c" });
    expect(ev("join(createArray('one', 'two', 'three'), ',')")).toBe("one,two,three");
  });
  it("tryGet / indexFromEnd", () => {
    expect(ev("tryGet(json('{\"a\":{\"b\":1}}'), 'a', 'b')")).toBe(1);
    expect(ev("tryGet(json('{\"a\":1}'), 'missing')")).toBe(null);
    expect(ev("tryGet(createArray(1, 2), 5)")).toBe(null);
    expect(ev("indexFromEnd(createArray(1, 2, 3), 1)")).toBe(3);
  });
  it("coalesce / if: docs examples", () => {
    expect(ev("coalesce(null(), null(), 'default')")).toBe("default");
    expect(ev("coalesce(null(), 1)")).toBe(1);
    expect(ev("if(equals('a', 'a'), 'yes', 'no')")).toBe("yes");
    // only the branch taken is evaluated
    expect(ev("if(true(), 'ok', substring('a', 5, 1))")).toBe("ok");
  });
});

describe("lambda functions", () => {
  const dogs = {
    dogs: [
      { name: "Evie", age: 5, interests: ["Ball", "Frisbee"] },
      { name: "Casper", age: 3, interests: ["Other dogs"] },
      { name: "Indy", age: 2, interests: ["Butter"] },
      { name: "Kira", age: 8, interests: ["Rubs"] },
    ],
  };
  it("filter: docs example", () => {
    expect(
      ev("filter(parameters('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))", dogs),
    ).toEqual([dogs.dogs[0], dogs.dogs[3]]);
    expect(ev("filter(range(0, 10), lambda('i', lessOrEquals(lambdaVariables('i'), 3)))")).toEqual([
      0, 1, 2, 3,
    ]);
  });
  it("map: docs example", () => {
    expect(ev("map(parameters('dogs'), lambda('dog', lambdaVariables('dog').name))", dogs)).toEqual([
      "Evie",
      "Casper",
      "Indy",
      "Kira",
    ]);
    expect(ev("map(range(0, 2), lambda('i', format('Hi {0}!', lambdaVariables('i'))))")).toEqual([
      "Hi 0!",
      "Hi 1!",
    ]);
    expect(
      ev(
        "map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))",
      ),
    ).toEqual(["a0", "b1"]);
  });
  it("reduce: docs example", () => {
    expect(
      ev(
        "reduce(map(parameters('dogs'), lambda('d', lambdaVariables('d').age)), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))",
        dogs,
      ),
    ).toBe(18);
  });
  it("sort: docs example (by age)", () => {
    const out = ev(
      "sort(parameters('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, lambdaVariables('b').age)))",
      dogs,
    ) as Array<{ name: string }>;
    expect(out.map((d) => d.name)).toEqual(["Indy", "Casper", "Evie", "Kira"]);
  });
  it("toObject: docs example", () => {
    expect(
      ev(
        "toObject(parameters('dogs'), lambda('e', lambdaVariables('e').name), lambda('e', lambdaVariables('e').age))",
        dogs,
      ),
    ).toEqual({
      Evie: 5,
      Casper: 3,
      Indy: 2,
      Kira: 8,
    });
  });
  it("lambda outside a lambda function is refused", () => {
    expect(failure("lambda('x', 1)")).toMatch(/not expected at this location/);
  });
});

describe("comparison, logical and numeric functions", () => {
  it("equals: docs example", () => {
    expect(ev("equals(1, 1)")).toBe(true);
    expect(ev("equals('a', 'a')")).toBe(true);
    expect(ev("equals(createArray('a', 'b'), createArray('a', 'b'))")).toBe(true);
    expect(ev('equals(json(\'{"a":"b"}\'), json(\'{"a":"b"}\'))')).toBe(true);
    expect(ev("not(equals(1, 2))")).toBe(true);
  });
  it("less / lessOrEquals / greater / greaterOrEquals: docs examples ('A' vs 'a' by culture)", () => {
    expect(ev("less(1, 2)")).toBe(true);
    expect(ev("less('A', 'a')")).toBe(false);
    expect(ev("lessOrEquals(1, 2)")).toBe(true);
    expect(ev("lessOrEquals('A', 'a')")).toBe(false);
    expect(ev("greater(10, 5)")).toBe(true);
    expect(ev("greater('A', 'a')")).toBe(true);
    expect(ev("greaterOrEquals(10, 5)")).toBe(true);
    expect(ev("greaterOrEquals('A', 'a')")).toBe(true);
  });
  it("and / or / not / bool: docs examples", () => {
    expect(ev("and(bool('true'), bool('false'))")).toBe(false);
    expect(ev("or(bool('true'), bool('false'))")).toBe(true);
    expect(ev("not(bool('true'))")).toBe(false);
    expect(ev("bool(1)")).toBe(true);
    expect(ev("bool(0)")).toBe(false);
    expect(ev("bool('TRUE')")).toBe(true);
  });
  it("add / sub / mul / div / mod / int / float: docs examples", () => {
    expect(ev("add(5, 3)")).toBe(8);
    expect(ev("sub(7, 3)")).toBe(4);
    expect(ev("mul(5, 3)")).toBe(15);
    expect(ev("div(8, 3)")).toBe(2);
    expect(ev("div(-8, 3)")).toBe(-2);
    expect(ev("mod(7, 3)")).toBe(1);
    expect(ev("int('4')")).toBe(4);
    expect(ev("float('3.5')")).toBe(3.5);
    expect(failure("div(1, 0)")).toMatch(/divide by zero/);
  });
});

describe("date functions", () => {
  it("dateTimeAdd: docs examples (P1Y is 365 days, P1M is 30 days)", () => {
    expect(ev("dateTimeAdd('2023-01-01 00:00:00Z', 'P1Y')")).toBe("2024-01-01T00:00:00Z");
    expect(ev("dateTimeAdd('2024-01-01 00:00:00Z', 'P1Y')")).toBe("2024-12-31T00:00:00Z");
    expect(ev("dateTimeAdd('2023-02-01 00:00:00Z', 'P1M')")).toBe("2023-03-03T00:00:00Z");
    expect(ev("dateTimeAdd('2024-02-01 00:00:00Z', 'P1M')")).toBe("2024-03-02T00:00:00Z");
    expect(ev("dateTimeAdd('2020-04-07 14:53:14Z', '-P9D')")).toBe("2020-03-29T14:53:14Z");
    expect(ev("dateTimeAdd('2020-04-07 14:53:14Z', 'PT1H')")).toBe("2020-04-07T15:53:14Z");
    expect(ev("dateTimeAdd('2020-04-07 14:53:14Z', 'PT1H', 'yyyy-MM-dd')")).toBe("2020-04-07");
    expect(failure("dateTimeAdd('2020-04-07', 'bogus')")).toMatch(/ISO 8601 duration/);
  });
  it("dateTimeFromEpoch / dateTimeToEpoch: docs example", () => {
    expect(ev("dateTimeFromEpoch(1683040573)")).toBe("2023-05-02T15:16:13Z");
    expect(ev("dateTimeToEpoch('2023-05-02T15:16:13Z')")).toBe(1683040573);
    expect(ev("dateTimeToEpoch(dateTimeAdd('2023-05-02T15:16:13Z', 'P1D'))")).toBe(1683040573 + 86400);
  });
});

describe("deployment and resource functions", () => {
  it("resourceId: all argument forms", () => {
    const sub = "00000000-0000-0000-0000-000000000000";
    expect(ev("resourceId('Microsoft.Network/virtualNetworks', 'vnet')")).toBe(
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet`,
    );
    expect(ev("resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sn')")).toBe(
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn`,
    );
    expect(ev("resourceId('otherRG', 'Microsoft.Storage/storageAccounts', 'sa')")).toBe(
      `/subscriptions/${sub}/resourceGroups/otherRG/providers/Microsoft.Storage/storageAccounts/sa`,
    );
    expect(ev("resourceId('1111', 'otherRG', 'Microsoft.Storage/storageAccounts/', 'sa')")).toBe(
      "/subscriptions/1111/resourceGroups/otherRG/providers/Microsoft.Storage/storageAccounts/sa",
    );
    expect(failure("resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')")).toMatch(
      /requires '2' resource name argument/,
    );
  });
  it("subscriptionResourceId / tenantResourceId / extensionResourceId / managementGroupResourceId", () => {
    expect(ev("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')")).toBe(
      "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/abc",
    );
    expect(ev("tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')")).toBe(
      "/providers/Microsoft.Authorization/policyDefinitions/p",
    );
    expect(ev("extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'lock1')")).toBe(
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Authorization/locks/lock1",
    );
    expect(ev("managementGroupResourceId('mg1', 'Microsoft.Authorization/policyDefinitions', 'p')")).toBe(
      "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p",
    );
  });
  it("resourceGroup / subscription / environment", () => {
    expect(ev("resourceGroup()")).toEqual({
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg",
      name: "rg",
      type: "Microsoft.Resources/resourceGroups",
      location: "westus",
      tags: {},
      properties: { provisioningState: "Succeeded" },
    });
    expect(ev("subscription().id")).toBe("/subscriptions/00000000-0000-0000-0000-000000000000");
    expect(ev("environment().suffixes.storage")).toBe("core.windows.net");
    expect(ev("environment().name")).toBe("AzureCloud");
  });
  it("pickZones: docs example", () => {
    expect(ev("pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')")).toEqual(["1"]);
    expect(ev("pickZones('Microsoft.Compute', 'virtualMachines', 'westus2', 3)")).toEqual(["1", "2", "3"]);
    expect(ev("pickZones('Microsoft.Cdn', 'profiles', 'northcentralus', 1)")).toEqual([]);
  });
  it("function names are case-insensitive; unknown functions are refused as ARM does", () => {
    expect(ev("CONCAT('a', ToLower('B'))")).toBe("ab");
    expect(failure("bogus(1)")).toBe(
      "The template function 'bogus' is not valid. Please see https://aka.ms/arm-template-expressions for usage details.",
    );
  });
  it("member and index access: errors as ARM words them", () => {
    expect(ev('json(\'{"a":{"b":[10,20]}}\').a.b[1]')).toBe(20);
    expect(ev("json('{\"a\":{\"b\":[10,20]}}')['A']['b'][0]")).toBe(10);
    expect(failure("json('{\"a\":1}').c")).toBe(
      "The language expression property 'c' doesn't exist, available properties are 'a'.",
    );
    expect(failure("createArray(1)[3]")).toBe(
      "The language expression property array index '3' is out of bounds.",
    );
  });
});

describe("CIDR functions", () => {
  it("parseCidr: docs example (IPv4 and IPv6)", () => {
    expect(ev("parseCidr('10.144.0.0/20')")).toEqual({
      network: "10.144.0.0",
      netmask: "255.255.240.0",
      broadcast: "10.144.15.255",
      firstUsable: "10.144.0.1",
      lastUsable: "10.144.15.254",
      cidr: 20,
    });
    expect(ev("parseCidr('fdad:3236:5555::/48')")).toEqual({
      network: "fdad:3236:5555::",
      netmask: "ffff:ffff:ffff::",
      firstUsable: "fdad:3236:5555::",
      lastUsable: "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff",
      cidr: 48,
    });
  });
  it("cidrSubnet: docs example", () => {
    expect(
      ev("map(range(0, 3), lambda('i', cidrSubnet('10.144.0.0/20', 24, lambdaVariables('i'))))"),
    ).toEqual(["10.144.0.0/24", "10.144.1.0/24", "10.144.2.0/24"]);
    expect(ev("cidrSubnet('fdad:3236:5555::/48', 52, 3)")).toBe("fdad:3236:5555:3000::/52");
    expect(failure("cidrSubnet('10.0.0.0/24', 16, 0)")).toMatch(/expects a new CIDR/);
  });
  it("cidrHost: docs example", () => {
    expect(ev("map(range(0, 3), lambda('i', cidrHost('10.144.3.0/24', lambdaVariables('i'))))")).toEqual([
      "10.144.3.1",
      "10.144.3.2",
      "10.144.3.3",
    ]);
    expect(ev("cidrHost('fdad:3236:5555:3000::/52', 0)")).toBe("fdad:3236:5555:3000::1");
  });
});

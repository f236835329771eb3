import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import software.amazon.event.ruler.Machine;

/**
 * Matches EventBridge event patterns against events with Event Ruler, the matcher EventBridge is
 * built on. Reads a JSON array of {"pattern": ..., "event": ...} from stdin and prints a JSON array
 * of booleans, one per pair, in order. A pattern Event Ruler refuses is an error (exit status 2)
 * that names the pair.
 *
 * java -cp '<jars>/*' RuleMatcher.java < cases.json
 */
public class RuleMatcher {
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode cases = json.readTree(System.in);
    if (cases == null || !cases.isArray()) {
      System.err.println("RuleMatcher: expected a JSON array of {pattern, event} on stdin");
      System.exit(2);
    }
    ArrayNode out = json.createArrayNode();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String pattern = json.writeValueAsString(c.get("pattern"));
      String event = json.writeValueAsString(c.get("event"));
      // One machine per pair: each answer depends on its own pattern only.
      Machine machine = Machine.builder().build();
      try {
        machine.addRule("rule", pattern);
      } catch (Exception e) {
        System.err.println("RuleMatcher: case " + i + ": Event Ruler refuses the pattern " + pattern + ": " + e.getMessage());
        System.exit(2);
      }
      List<String> matched = machine.rulesForJSONEvent(event);
      out.add(!matched.isEmpty());
    }
    System.out.println(json.writeValueAsString(out));
  }
}

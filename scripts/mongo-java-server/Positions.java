import java.util.Collection;
import java.util.TreeSet;

/**
 * The positions of the documents under one key tuple of a PrefixSecondaryIndex. Most tuples
 * of a long prefix hold one document, so a holder keeps one position until a second comes.
 */
final class Positions {
  private final Integer single;
  private final TreeSet<Integer> many;

  private Positions(Integer single, TreeSet<Integer> many) {
    this.single = single;
    this.many = many;
  }

  /** `positions` (null: none) with `position` added. */
  static Positions with(Positions positions, Integer position) {
    if (positions == null) return new Positions(position, null);
    if (positions.many != null) {
      positions.many.add(position);
      return positions;
    }
    if (positions.single.equals(position)) return positions;
    TreeSet<Integer> many = new TreeSet<>();
    many.add(positions.single);
    many.add(position);
    return new Positions(null, many);
  }

  /** `positions` without `position`; null when none are left. */
  static Positions without(Positions positions, Integer position) {
    if (positions == null) return null;
    if (positions.many == null) return positions.single.equals(position) ? null : positions;
    positions.many.remove(position);
    if (positions.many.isEmpty()) return null;
    return positions.many.size() == 1 ? new Positions(positions.many.first(), null) : positions;
  }

  void addTo(Collection<Integer> out) {
    if (many != null) out.addAll(many);
    else out.add(single);
  }
}

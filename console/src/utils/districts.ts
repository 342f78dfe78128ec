// Fuzhou's districts (GB/T 2260), as backend/districts.py lists them: reference data for pickers.
export const DISTRICTS: Record<string, string> = {
  '350102': '鼓楼区',
  '350103': '台江区',
  '350104': '仓山区',
  '350105': '马尾区',
  '350111': '晋安区',
  '350112': '长乐区',
  '350121': '闽侯县',
  '350122': '连江县',
  '350123': '罗源县',
  '350124': '闽清县',
  '350125': '永泰县',
  '350128': '平潭县',
  '350181': '福清市',
}
